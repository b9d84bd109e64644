import type { Clock } from '../clock.js';
import { retryPolicy, type Timers } from '../delivery/retry.js';
import { sendRequest } from '../delivery/send.js';
import { signRequest } from '../delivery/sign.js';
import type { ProviderProfile } from '../providers/types.js';
import type { Attempt, SandboxDelivery, SandboxState } from './state.js';

/** Reported after every attempt, for the sandbox's own log lines. */
export interface AttemptEvent {
  readonly delivery: SandboxDelivery;
  readonly attempt: Attempt;
  readonly maxAttempts: number;
}

export interface EngineOptions {
  /** Multiplies every retry delay (not the timeout). Default 1. */
  readonly timeScale: number;
  /** Overrides the provider's timeout (ms). */
  readonly timeoutMs?: number | undefined;
  /** How to sign a delivery and where it goes now: its provider profile, the secret and the URL (an endpoint's URL may have changed since). */
  readonly signerFor: (delivery: SandboxDelivery) => { profile: ProviderProfile; secret: string; url: string } | undefined;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly onAttempt?: (event: AttemptEvent) => void;
}

/**
 * Delivers and retries on the provider's schedule: each attempt is signed afresh (new
 * timestamp, same event id), non-2xx and timeouts count as failures, and after the last retry
 * fails the delivery is abandoned until someone retries it by hand.
 */
export class DeliveryEngine {
  private readonly timers = new Map<string, unknown>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private closed = false;

  constructor(
    private readonly state: SandboxState,
    private readonly options: EngineOptions,
  ) {}

  /** Start a new delivery: its first attempt happens now. */
  start(delivery: SandboxDelivery): void {
    this.schedule(delivery, 0);
  }

  /** After a restart: put pending and retrying deliveries back on their schedule. */
  resume(): void {
    for (const delivery of this.state.deliveries.values()) {
      if (delivery.state !== 'pending' && delivery.state !== 'retrying') continue;
      const due = delivery.nextAttemptAt ? Date.parse(delivery.nextAttemptAt) - this.options.clock.now() : 0;
      this.schedule(delivery, Math.max(0, due));
    }
  }

  /** A manual retry: one attempt now, whatever the state; an abandoned delivery stays abandoned if it fails. */
  async retryNow(delivery: SandboxDelivery): Promise<Attempt> {
    this.cancel(delivery.id);
    return this.track(this.attempt(delivery, true));
  }

  private schedule(delivery: SandboxDelivery, ms: number): void {
    if (this.closed) return;
    this.cancel(delivery.id);
    const handle = this.options.timers.set(() => {
      this.timers.delete(delivery.id);
      void this.track(this.attempt(delivery, false));
    }, ms);
    this.timers.set(delivery.id, handle);
  }

  private cancel(id: string): void {
    const handle = this.timers.get(id);
    if (handle !== undefined) this.options.timers.clear(handle);
    this.timers.delete(id);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    const done = work.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(done);
    void done.then(() => this.inFlight.delete(done));
    return work;
  }

  private async attempt(delivery: SandboxDelivery, manual: boolean): Promise<Attempt> {
    const { clock } = this.options;
    const signer = this.options.signerFor(delivery);
    const number = delivery.attempts.length + 1;
    const at = new Date(clock.now()).toISOString();
    let attempt: Attempt;
    let ok = false;
    if (!signer) {
      attempt = { attempt: number, at, durationMs: 0, error: 'no signing secret for this delivery (endpoint deleted?)', ...(manual ? { manual } : {}) };
    } else {
      const body = Buffer.from(delivery.bodyBase64, 'base64');
      const signed = signRequest(signer.profile, { body, secret: signer.secret, id: delivery.eventId, event: delivery.event, url: signer.url.toString() }, clock);
      const result = await sendRequest(
        { url: signer.url, headers: signed.headers, body, timeoutMs: this.options.timeoutMs ?? signer.profile.timeoutMs, signal: this.abort.signal },
        clock,
      );
      if (result.error?.kind === 'aborted') return { attempt: number, at, durationMs: result.durationMs, error: 'sandbox stopped' };
      ok = result.ok;
      attempt = {
        attempt: number,
        at,
        status: result.status,
        durationMs: Math.round(result.durationMs),
        ...(result.error ? { error: result.error.message } : result.ok ? {} : { error: `answered ${result.status}` }),
        ...(manual ? { manual } : {}),
      };
    }
    delivery.attempts.push(attempt);
    const policy = retryPolicy(signer?.profile ?? { retryDelaysMs: [] }, this.options.timeScale);
    if (ok) {
      delivery.state = 'succeeded';
      delivery.nextAttemptAt = undefined;
    } else if (manual && delivery.state !== 'retrying' && delivery.state !== 'pending') {
      delivery.state = delivery.state === 'succeeded' ? 'succeeded' : 'abandoned';
    } else {
      // Scheduled failures count against the schedule; manual ones do not use it up.
      const scheduled = delivery.attempts.filter((a) => !a.manual).length;
      const delay = policy.delayAfter(scheduled);
      if (delay === undefined) {
        delivery.state = 'abandoned';
        delivery.nextAttemptAt = undefined;
      } else {
        delivery.state = 'retrying';
        delivery.nextAttemptAt = new Date(clock.now() + delay).toISOString();
        this.schedule(delivery, delay);
      }
    }
    await this.state.save();
    this.options.onAttempt?.({ delivery, attempt, maxAttempts: policy.maxAttempts });
    return attempt;
  }

  /** Stop: no new attempts; requests in flight are aborted; idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.timers.keys()]) this.cancel(id);
    this.abort.abort();
    await Promise.all([...this.inFlight]);
  }
}
