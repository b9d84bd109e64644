import { humanDuration } from '../quantity.js';
import { fail, type VerifyResult } from './types.js';

/** Check a unix-seconds timestamp against now ± tolerance. */
export function checkTimestamp(raw: string | undefined, now: number, toleranceSeconds: number): VerifyResult | number {
  if (raw === undefined || raw === '') return fail('missing timestamp', 'no timestamp was sent');
  if (!/^\d{1,12}$/.test(raw.trim())) return fail('invalid timestamp', `timestamp "${raw}" is not unix seconds`);
  const ts = Number(raw.trim());
  if (now - ts > toleranceSeconds) {
    return fail('timestamp too old', `timestamp is ${humanDuration(now - ts)} old; the limit is ${humanDuration(toleranceSeconds)}`);
  }
  if (ts - now > toleranceSeconds) {
    return fail('timestamp in the future', `timestamp is ${humanDuration(ts - now)} ahead; the limit is ${humanDuration(toleranceSeconds)}`);
  }
  return ts;
}
