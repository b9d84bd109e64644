import { UsageError } from '../errors.js';
import type { ProviderProfile } from './types.js';

/** The name of a provider's only schedule when it documents one. */
const SINGLE_MODE = 'default';

/** Every documented retry schedule of a provider, by mode (one "default" mode for most). */
export function retrySchedules(profile: Pick<ProviderProfile, 'retryDelaysMs' | 'retryModes' | 'defaultRetryMode'>): Readonly<Record<string, readonly number[]>> {
  return profile.retryModes ?? { [SINGLE_MODE]: profile.retryDelaysMs };
}

/** The mode used when none is asked for. */
export function defaultRetryMode(profile: Pick<ProviderProfile, 'retryModes' | 'defaultRetryMode'>): string {
  return profile.retryModes ? (profile.defaultRetryMode ?? Object.keys(profile.retryModes)[0]!) : SINGLE_MODE;
}

export interface RetrySchedule {
  readonly mode: string;
  /** Delay before each retry, after the previous failure (unscaled). */
  readonly retryDelaysMs: readonly number[];
  /** Attempts in all before the delivery is abandoned: the first one plus one per retry. */
  readonly attempts: number;
}

/**
 * The schedule a delivery follows: the provider's `mode` (default: its default mode), cut to
 * `abandonAfter` attempts in all when given. Unknown modes and impossible counts are usage errors.
 */
export function retryScheduleFor(profile: ProviderProfile, options: { mode?: string | undefined; abandonAfter?: number | undefined } = {}): RetrySchedule {
  const schedules = retrySchedules(profile);
  const modes = Object.keys(schedules);
  const mode = options.mode ?? defaultRetryMode(profile);
  const delays = schedules[mode];
  if (!delays) {
    throw new UsageError(
      profile.retryModes ? `${profile.name} has no "${mode}" retry schedule` : `${profile.name} documents one retry schedule, so --mode does not apply`,
      { hint: profile.retryModes ? `choose one of: ${modes.join(', ')}` : 'leave --mode out (it applies to providers with several schedules, e.g. paystack: test or live)' },
    );
  }
  const most = delays.length + 1;
  const attempts = options.abandonAfter ?? most;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > most) {
    throw new UsageError(`--abandon-after ${attempts}: ${profile.name}'s ${mode === SINGLE_MODE ? '' : `${mode}-mode `}schedule has ${most} attempts in all`, {
      hint: `pass a number from 1 to ${most} (the sandbox knows no delays beyond the documented ones)`,
    });
  }
  return { mode, retryDelaysMs: delays.slice(0, attempts - 1), attempts };
}
