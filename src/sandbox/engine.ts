import { setMaxListeners } from 'node:events';
import type { Clock, Timers } from '../clock.js';
import { retryPolicy } from '../delivery/retry.js';
import { sendRequest } from '../delivery/send.js';
import { signRequest } from '../delivery/sign.js';
import type { ProviderProfile } from '../providers/types.js';
import type { AbandonReason, Attempt, SandboxDelivery, SandboxState } from './state.js';

/** Reported when the sandbox disables an endpoint as its provider would (Koard after 5 days of failures). */
export interface EndpointEvent {
  readonly endpointId: string;
  readonly url: string;
  readonly status: 'disabled';
  readonly failingSince: string;
  readonly disabledAt: string;
  /** The (scaled) time every attempt had failed for. */
  readonly afterMs: number;
}

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
  /** The delays before each retry (unscaled), already cut to the attempts allowed. Default: the profile's. */
  readonly retryDelaysFor?: (profile: ProviderProfile) => readonly number[];
  /** How long (unscaled) every attempt to an endpoint may fail before it is disabled; undefined: never. */
  readonly disableAfterFailingMs?: (endpointId: string) => number | undefined;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly onAttempt?: (event: AttemptEvent) => void;
  readonly onEndpoint?: (event: EndpointEvent) => void;
}

/**
 * Delivers and retries on the provider's schedule: each attempt is signed afresh (new
 * timestamp, same event id), non-2xx and timeouts count as failures, and after the last retry
 * fails the delivery is abandoned until someone retries it by hand. An endpoint whose every
 * attempt fails for the provider's limit (scaled) is disabled: its retries stop.
 */
export class DeliveryEngine {
  private readonly timers = new Map<string, unknown>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private closed = false;

  constructor(
    private readonly state: SandboxState,
    private readonly options: EngineOptions,
  ) {
    // Every request in flight listens to this one signal (an event to 500 endpoints is 500 requests).
    setMaxListeners(0, this.abort.signal);
  }

  /** Start a new delivery: its first attempt happens now. */
  start(delivery: SandboxDelivery): void {
    this.schedule(delivery, 0);
  }

  /** Whether the endpoint has been disabled (new deliveries to it are not attempted). */
  isDisabled(endpointId: string): boolean {
    return this.state.health.get(endpointId)?.disabledAt !== undefined;
  }

  /** Enable a disabled endpoint again: its failure record starts over. */
  async enable(endpointId: string): Promise<void> {
    await this.state.setHealth(endpointId, undefined);
  }

  /** After a restart: put pending and retrying deliveries back on their schedule. */
  resume(): void {
    for (const delivery of this.state.deliveries.values()) {
      if (delivery.state !== 'pending' && delivery.state !== 'retrying') continue;
      if (this.isDisabled(delivery.endpointId)) continue;
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
    const body = this.state.bodyOf(delivery);
    if (!signer || !body) {
      const error = signer ? 'the event of this delivery is missing from the state file' : 'no signing secret for this delivery (endpoint deleted?)';
      attempt = { attempt: number, at, durationMs: 0, error, ...(manual ? { manual } : {}) };
    } else {
      const signed = signRequest(signer.profile, { body, secret: signer.secret, id: delivery.eventId, event: delivery.event, url: signer.url }, clock);
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
    const delays = signer ? (this.options.retryDelaysFor?.(signer.profile) ?? signer.profile.retryDelaysMs) : [];
    const policy = retryPolicy({ retryDelaysMs: delays }, this.options.timeScale);
    const disabled = signer ? this.recordHealth(delivery, ok, at) : undefined;
    if (ok) {
      delivery.state = 'succeeded';
      delivery.nextAttemptAt = undefined;
      delivery.abandonedReason = undefined;
    } else if (manual && delivery.state !== 'retrying' && delivery.state !== 'pending') {
      delivery.state = delivery.state === 'succeeded' ? 'succeeded' : 'abandoned';
    } else if (this.isDisabled(delivery.endpointId)) {
      this.abandon(delivery, 'endpoint disabled');
    } else {
      // Scheduled failures count against the schedule; manual ones do not use it up.
      const scheduled = delivery.attempts.filter((a) => !a.manual).length;
      const delay = policy.delayAfter(scheduled);
      if (delay === undefined) {
        this.abandon(delivery, 'retries exhausted');
      } else {
        delivery.state = 'retrying';
        delivery.nextAttemptAt = new Date(clock.now() + delay).toISOString();
        this.schedule(delivery, delay);
      }
    }
    await this.state.putDelivery(delivery);
    this.options.onAttempt?.({ delivery, attempt, maxAttempts: policy.maxAttempts });
    if (disabled) this.options.onEndpoint?.(disabled);
    return attempt;
  }

  private abandon(delivery: SandboxDelivery, reason: AbandonReason): void {
    this.cancel(delivery.id);
    delivery.state = 'abandoned';
    delivery.nextAttemptAt = undefined;
    delivery.abandonedReason = reason;
  }

  /**
   * Keep the endpoint's run of failures; when every attempt has failed for its limit (scaled),
   * disable it and abandon its other pending deliveries. Returns the event when it was disabled now.
   */
  private recordHealth(delivery: SandboxDelivery, ok: boolean, at: string): EndpointEvent | undefined {
    const id = delivery.endpointId;
    const health = this.state.health.get(id) ?? {};
    if (ok) {
      if (health.failingSince !== undefined) void this.state.setHealth(id, { ...health, failingSince: undefined });
      return undefined;
    }
    const failingSince = health.failingSince ?? at;
    if (health.failingSince === undefined) void this.state.setHealth(id, { ...health, failingSince });
    const limit = this.options.disableAfterFailingMs?.(id);
    if (limit === undefined || health.disabledAt !== undefined) return undefined;
    const afterMs = limit * this.options.timeScale;
    if (Date.parse(at) - Date.parse(failingSince) < afterMs) return undefined;
    void this.state.setHealth(id, { failingSince, disabledAt: at });
    for (const other of this.state.deliveries.values()) {
      if (other !== delivery && other.endpointId === id && (other.state === 'pending' || other.state === 'retrying')) {
        this.abandon(other, 'endpoint disabled');
        void this.state.putDelivery(other);
      }
    }
    return { endpointId: id, url: delivery.url, status: 'disabled', failingSince, disabledAt: at, afterMs };
  }

  /** Stop: no new attempts; requests in flight are aborted; idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.timers.keys()]) this.cancel(id);
    this.abort.abort();
    await Promise.all([...this.inFlight]);
  }
}
