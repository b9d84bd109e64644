/** Time as a dependency: the core never calls Date.now or performance.now itself. */
export interface Clock {
  /** Wall-clock milliseconds since the epoch. */
  now(): number;
  /** Monotonic milliseconds, for durations. */
  monotonic(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  // process.hrtime, not performance.now: the first use of `performance` loads node:perf_hooks
  // (~0.5 ms of every one-shot command's start-up); durations only need a monotonic origin.
  monotonic: () => Number(process.hrtime.bigint()) / 1e6,
};

export function unixSeconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000);
}

/** Timers, passed in so a schedule can run on a test clock or be scaled. */
export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const systemTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * `format` of a millisecond, made once per millisecond: what is asked for many times in one (a
 * receiver's delivery ids and timestamps, thousands a second) is formatted once.
 */
export function perMillisecond(format: (ms: number) => string): (ms: number) => string {
  let last = Number.NaN;
  let text = '';
  return (ms) => {
    if (ms !== last) {
      text = format(ms);
      last = ms;
    }
    return text;
  };
}
