import type { Clock, Timers } from '../../src/clock.js';

/**
 * A clock and timers that move only when told: `next()` jumps to the earliest pending timer and
 * fires it. A schedule of days runs in milliseconds, and every attempt's time is exact.
 */
export function manualTime(start = Date.parse('2026-01-01T00:00:00.000Z')) {
  let now = start;
  let seq = 0;
  const pending = new Map<number, { due: number; callback: () => void }>();
  const clock: Clock = { now: () => now, monotonic: () => now };
  const timers: Timers = {
    set(callback, ms) {
      const id = ++seq;
      pending.set(id, { due: now + ms, callback });
      return id;
    },
    clear: (handle) => void pending.delete(handle as number),
  };
  return {
    clock,
    timers,
    get now() {
      return now;
    },
    /** Timers waiting to fire. */
    get pending() {
      return pending.size;
    },
    /** Move the clock forward without firing anything (time passing with nothing due). */
    advance(ms: number) {
      now += ms;
    },
    /** Jump to the earliest timer and fire it; false when none is pending. */
    next(): boolean {
      let first: [number, { due: number; callback: () => void }] | undefined;
      for (const entry of pending) if (!first || entry[1].due < first[1].due) first = entry;
      if (!first) return false;
      pending.delete(first[0]);
      now = Math.max(now, first[1].due);
      first[1].callback();
      return true;
    },
  };
}
