import { systemTimers, type Clock, type Timers } from '../clock.js';

export interface HealthOptions {
  /** Time between checks while healthy. */
  readonly intervalMs: number;
  /** Give up when unhealthy this long without recovering. */
  readonly giveUpAfterMs: number;
  /** One end-to-end check: undefined when healthy, else why not. */
  check(): Promise<string | undefined>;
  /** Try to repair (reopen the tunnel, re-register); may throw. */
  recover(): Promise<void>;
  onState(state: 'up' | 'reconnecting' | 'down', reason?: string): void;
  readonly clock: Clock;
  readonly timers?: Timers;
}

export interface HealthMonitor {
  /** Check now (e.g. the tunnel reported trouble). */
  poke(): void;
  stop(): void;
  /** Resolves with the reason when recovery failed for longer than giveUpAfterMs. */
  readonly gaveUp: Promise<string>;
}

/**
 * Watches the public path end to end: checks periodically; on trouble says so at once, retries
 * recovery with backoff (first retry 0.5 s after a failed check, doubling to 30 s), reports when it is back, and gives up after a
 * bound so a supervisor can restart the process.
 */
export function monitorHealth(options: HealthOptions): HealthMonitor {
  const timers = options.timers ?? systemTimers;
  let stopped = false;
  let wake: (() => void) | undefined;
  let timer: unknown;
  let resolveGaveUp!: (reason: string) => void;
  const gaveUp = new Promise<string>((resolve) => (resolveGaveUp = resolve));
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = timers.set(resolve, ms);
    });

  void (async () => {
    let failingSince: number | undefined;
    let attempt = 0;
    while (!stopped) {
      // While failing: back off, but wake for the give-up deadline rather than sleep past it.
      await sleep(failingSince === undefined ? options.intervalMs : Math.max(0, Math.min(30_000, 250 * 2 ** attempt, failingSince + options.giveUpAfterMs - options.clock.now())));
      if (stopped) break;
      const problem = await options.check().catch((error: Error) => error.message);
      if (stopped) break;
      if (problem === undefined) {
        if (failingSince !== undefined) options.onState('up');
        failingSince = undefined;
        attempt = 0;
        continue;
      }
      if (failingSince === undefined) {
        failingSince = options.clock.now();
        options.onState('reconnecting', problem);
      }
      if (options.clock.now() - failingSince >= options.giveUpAfterMs) {
        options.onState('down', problem);
        resolveGaveUp(`${problem}; gave up after ${Math.round((options.clock.now() - failingSince) / 1000)} s`);
        break;
      }
      attempt++;
      await options.recover().catch(() => undefined);
    }
  })();

  return {
    poke() {
      if (timer !== undefined) timers.clear(timer);
      wake?.();
    },
    stop() {
      stopped = true;
      if (timer !== undefined) timers.clear(timer);
      wake?.();
    },
    gaveUp,
  };
}
