import type { ProviderProfile } from '../providers/types.js';

/**
 * A provider's retry policy: attempt 1 is immediate; after a failed attempt n, retry n waits
 * `retryDelaysMs[n-1]` (scaled). When the last retry fails too, the delivery is abandoned.
 */
export interface RetryPolicy {
  /** Attempts in all: the first one plus one per retry delay. */
  readonly maxAttempts: number;
  /** Delay before the next attempt after `attemptsMade` failed ones, or undefined: abandon. */
  delayAfter(attemptsMade: number): number | undefined;
}

/** The profile's schedule scaled by `timeScale` (0.001 turns 24 h into 86.4 s). */
export function retryPolicy(profile: Pick<ProviderProfile, 'retryDelaysMs'>, timeScale = 1): RetryPolicy {
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new RangeError(`time scale must be a positive number, got ${timeScale}`);
  const delays = profile.retryDelaysMs.map((ms) => ms * timeScale);
  return {
    maxAttempts: delays.length + 1,
    delayAfter: (attemptsMade) => (attemptsMade >= 1 && attemptsMade <= delays.length ? delays[attemptsMade - 1] : undefined),
  };
}
