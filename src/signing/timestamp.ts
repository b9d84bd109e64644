import { humanDuration } from '../quantity.js';
import { fail, type VerifyResult } from './types.js';

/**
 * Check a unix timestamp (seconds, or milliseconds where a provider sends those) against now ±
 * tolerance; returns it in seconds.
 */
export function checkTimestamp(raw: string | undefined, now: number, toleranceSeconds: number, unit: 'seconds' | 'milliseconds' = 'seconds'): VerifyResult | number {
  if (raw === undefined || raw === '') return fail('missing timestamp', 'no timestamp was sent');
  const digits = unit === 'seconds' ? /^\d{1,12}$/ : /^\d{1,15}$/;
  if (!digits.test(raw.trim())) return fail('invalid timestamp', `timestamp "${raw}" is not unix ${unit}`);
  const ts = unit === 'seconds' ? Number(raw.trim()) : Math.floor(Number(raw.trim()) / 1000);
  if (now - ts > toleranceSeconds) {
    return fail('timestamp too old', `timestamp is ${humanDuration(now - ts)} old; the limit is ${humanDuration(toleranceSeconds)}`);
  }
  if (ts - now > toleranceSeconds) {
    return fail('timestamp in the future', `timestamp is ${humanDuration(ts - now)} ahead; the limit is ${humanDuration(toleranceSeconds)}`);
  }
  return ts;
}
