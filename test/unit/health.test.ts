/**
 * The listen self-check schedule (src/listen/health.ts) on vitest's fake timers: when it checks,
 * what it reports on failure and recovery, how it backs off, and when it gives up. The monitor
 * takes its clock and (optionally) its timers; here it runs on the default timers, faked, and a
 * clock that reads the faked Date. The check and the repair are fakes that record their times.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { monitorHealth, type HealthMonitor, type HealthOptions } from '../../src/listen/health.js';

const START = Date.parse('2026-03-01T00:00:00.000Z');
const clock = { now: () => Date.now(), monotonic: () => Date.now() - START };

let monitor: HealthMonitor | undefined;
beforeEach(() => {
  vi.useFakeTimers({ now: START });
});
afterEach(() => {
  monitor?.stop();
  monitor = undefined;
  vi.useRealTimers();
});

/**
 * A monitor whose checks answer from `answers` in turn (a string: unhealthy for that reason;
 * undefined: healthy; an Error: the check threw), healthy once they run out. Records the time
 * (ms since START) of every check and repair, and every state it reports.
 */
function start(answers: Array<string | undefined | Error>, options: Partial<HealthOptions> = {}) {
  const checks: number[] = [];
  const repairs: number[] = [];
  const states: Array<[number, string, string | undefined]> = [];
  const at = () => Date.now() - START;
  monitor = monitorHealth({
    intervalMs: 1000,
    giveUpAfterMs: 60_000,
    clock,
    async check() {
      checks.push(at());
      const answer = answers.shift();
      if (answer instanceof Error) throw answer;
      return answer;
    },
    async recover() {
      repairs.push(at());
    },
    onState: (state, reason) => states.push([at(), state, reason]),
    ...options,
  });
  return { monitor, checks, repairs, states };
}

describe('monitorHealth', () => {
  it('checks every interval while healthy and reports nothing', async () => {
    const run = start([]);
    await vi.advanceTimersByTimeAsync(999);
    expect(run.checks).toEqual([]);
    await vi.advanceTimersByTimeAsync(4001);
    expect(run.checks).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(run.states).toEqual([]);
    expect(run.repairs).toEqual([]);
  });

  it('says "reconnecting" once at the first failure, repairs at once, then checks again backing off', async () => {
    const run = start([undefined, 'tunnel closed', 'tunnel closed', 'still closed', 'still closed']);
    await vi.advanceTimersByTimeAsync(2000);
    expect(run.states).toEqual([[2000, 'reconnecting', 'tunnel closed']]);
    expect(run.repairs).toEqual([2000]);
    await vi.advanceTimersByTimeAsync(20_000);
    // Doubling waits between checks while failing (0.5 s, 1 s, 2 s, 4 s), one repair after each failure.
    expect(run.checks).toEqual([1000, 2000, 2500, 3500, 5500, 9500, 10_500, 11_500, 12_500, 13_500, 14_500, 15_500, 16_500, 17_500, 18_500, 19_500, 20_500, 21_500]);
    expect(run.repairs).toEqual([2000, 2500, 3500, 5500]);
    // Healthy again at 9.5 s: "up" once, and back to the interval.
    expect(run.states).toEqual([
      [2000, 'reconnecting', 'tunnel closed'],
      [9500, 'up', undefined],
    ]);
  });

  it('caps the backoff at 30 s', async () => {
    const run = start(Array.from({ length: 12 }, () => 'down'), { giveUpAfterMs: 10 * 60_000 });
    await vi.advanceTimersByTimeAsync(200_000);
    const gaps = run.checks.slice(1).map((t, i) => t - run.checks[i]!);
    expect(gaps.slice(0, 10)).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000]);
  });

  it('a new failure after recovery starts the backoff over', async () => {
    const run = start(['a', 'a', 'a', undefined, 'b', 'b']);
    await vi.advanceTimersByTimeAsync(30_000);
    const t = run.checks;
    expect(t.slice(0, 4)).toEqual([1000, 1500, 2500, 4500]);
    expect(t.slice(4, 7)).toEqual([5500, 6000, 7000]);
    expect(run.states.map(([, state, reason]) => [state, reason])).toEqual([
      ['reconnecting', 'a'],
      ['up', undefined],
      ['reconnecting', 'b'],
      ['up', undefined],
    ]);
  });

  it('gives up when failing for giveUpAfterMs, waking at the deadline rather than sleeping past it', async () => {
    const run = start(Array.from({ length: 50 }, () => 'no route to the public URL'), { giveUpAfterMs: 10_000 });
    let reason: string | undefined;
    void run.monitor.gaveUp.then((r) => (reason = r));
    await vi.advanceTimersByTimeAsync(10_999);
    expect(reason).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    // First failure at 1 s; the wait after the check at 8.5 s is cut to the deadline, 11 s.
    expect(run.checks).toEqual([1000, 1500, 2500, 4500, 8500, 11_000]);
    expect(run.states.at(-1)).toEqual([11_000, 'down', 'no route to the public URL']);
    expect(reason).toBe('no route to the public URL; gave up after 10 s');
    // After giving up: no more checks, no timer left behind.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(run.checks).toHaveLength(6);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a check that throws counts as a failure with its message; a repair that throws is ignored', async () => {
    const run = start([new Error('ECONNRESET'), undefined], {
      recover: async () => {
        throw new Error('could not reopen the tunnel');
      },
    });
    await vi.advanceTimersByTimeAsync(1500);
    expect(run.states).toEqual([
      [1000, 'reconnecting', 'ECONNRESET'],
      [1500, 'up', undefined],
    ]);
  });

  it('poke checks at once and starts the interval over', async () => {
    const run = start([]);
    await vi.advanceTimersByTimeAsync(1300);
    run.monitor.poke();
    await vi.advanceTimersByTimeAsync(0);
    expect(run.checks).toEqual([1000, 1300]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(run.checks).toEqual([1000, 1300, 2300]);
  });

  it('stop ends the checks and leaves no timer', async () => {
    const run = start([]);
    await vi.advanceTimersByTimeAsync(2500);
    run.monitor.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(run.checks).toEqual([1000, 2000]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a failure whose check returns after stop reports nothing', async () => {
    let finish!: (answer: string) => void;
    const states: string[] = [];
    monitor = monitorHealth({
      intervalMs: 1000,
      giveUpAfterMs: 60_000,
      clock,
      check: () => new Promise<string>((resolve) => (finish = resolve)),
      recover: async () => {},
      onState: (state) => states.push(state),
    });
    await vi.advanceTimersByTimeAsync(1000);
    monitor.stop();
    finish('late failure');
    await vi.advanceTimersByTimeAsync(5000);
    expect(states).toEqual([]);
  });
});
