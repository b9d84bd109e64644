/**
 * The sandbox's delivery engine (src/sandbox/engine.ts) on its own: when attempts happen, what a
 * failure, a success, a manual retry, a restart and a disabled endpoint do to the schedule. The
 * engine takes its clock and timers as parameters: here a fake clock and fake timers
 * (test/support/manual-time.ts) that fire only when told, so a schedule of hours runs at once and
 * every attempt time is exact. Attempts go over real HTTP to a loopback receiver (the engine sends
 * them itself). test/fidelity.test.ts checks the providers' documented schedules end to end
 * through the sandbox's API.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { koard } from '../../src/providers/koard.js';
import { paykore } from '../../src/providers/paykore.js';
import type { ProviderProfile } from '../../src/providers/types.js';
import { DeliveryEngine, type AttemptEvent, type EndpointEvent, type EngineOptions } from '../../src/sandbox/engine.js';
import { SandboxState, type SandboxDelivery } from '../../src/sandbox/state.js';
import { manualTime } from '../support/manual-time.js';
import { startStubApp, type StubApp } from '../support/stub-app.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const START = Date.parse('2026-02-01T00:00:00.000Z');
/** A short schedule: retries 1 s, 5 s and 30 s after each failure. */
const profile: ProviderProfile = { ...paykore, retryDelaysMs: [1000, 5000, 30_000] };

let app: StubApp | undefined;
let engine: DeliveryEngine | undefined;
afterEach(async () => {
  await engine?.close();
  await app?.close();
  engine = app = undefined;
});

/** Attempts as the engine reports them; `next()` waits for the next one. */
function attempts() {
  const backlog: AttemptEvent[] = [];
  let waiting: ((event: AttemptEvent) => void) | undefined;
  return {
    onAttempt(event: AttemptEvent) {
      // The delivery object changes with later attempts: keep this attempt's view of it.
      const copy = { ...event, delivery: structuredClone(event.delivery) };
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        w(copy);
      } else backlog.push(copy);
    },
    next: () => (backlog.length > 0 ? Promise.resolve(backlog.shift()!) : new Promise<AttemptEvent>((resolve) => (waiting = resolve))),
  };
}

/** Answers the receiver gives in turn (the last one from then on). */
async function receiver(...statuses: number[]): Promise<StubApp> {
  let i = 0;
  app = await startStubApp(() => ({ status: statuses[Math.min(i++, statuses.length - 1)]! }));
  return app;
}

let seq = 0;
/** A delivery of a new event to `endpointId`, its body kept in the state as the sandbox keeps it. */
async function newDelivery(state: SandboxState, url: string, endpointId = 'ep_1', over: Partial<SandboxDelivery> = {}): Promise<SandboxDelivery> {
  const n = ++seq;
  const eventId = `evt_${n}`;
  await state.putEvent({ id: eventId, event: 'transaction.completed', provider: 'paykore', body: Buffer.from(`{"event":"transaction.completed","data":{"id":"txn_${n}"}}`), createdAt: new Date(START).toISOString() });
  const delivery: SandboxDelivery = { id: `dlv_${n}`, eventId, event: 'transaction.completed', provider: 'paykore', endpointId, url, state: 'pending', attempts: [], createdAt: new Date(START).toISOString(), ...over };
  await state.putDelivery(delivery);
  return delivery;
}

async function setup(options: Partial<EngineOptions> & { statuses?: number[]; signWith?: ProviderProfile } = {}) {
  const target = await receiver(...(options.statuses ?? [500]));
  const time = manualTime(START);
  const log = attempts();
  const state = await SandboxState.open(undefined);
  const disabled: EndpointEvent[] = [];
  engine = new DeliveryEngine(state, {
    timeScale: 1,
    clock: time.clock,
    timers: time.timers,
    signerFor: () => ({ profile: options.signWith ?? profile, secret: SECRET, url: `${target.url}/hooks` }),
    onAttempt: log.onAttempt,
    onEndpoint: (e) => disabled.push(e),
    ...options,
  });
  return { target, time, log, state, engine, disabled };
}

/** Fire the next timer and wait for the attempt it starts. */
async function fire(time: ReturnType<typeof manualTime>, log: ReturnType<typeof attempts>): Promise<AttemptEvent> {
  expect(time.next()).toBe(true);
  return log.next();
}

const since = (iso: string) => Date.parse(iso) - START;

describe('DeliveryEngine schedule', () => {
  it('attempts at once, then retries after each delay; after the last retry fails it abandons', async () => {
    const { time, log, state, engine, target } = await setup();
    const delivery = await newDelivery(state, `${target.url}/hooks`);
    engine.start(delivery);
    expect(time.pending).toBe(1);
    const seen: AttemptEvent[] = [];
    for (let i = 0; i < 4; i++) seen.push(await fire(time, log));
    expect(seen.map((e) => since(e.attempt.at))).toEqual([0, 1000, 6000, 36_000]);
    expect(seen.map((e) => e.attempt.attempt)).toEqual([1, 2, 3, 4]);
    expect(seen.map((e) => e.attempt.error)).toEqual(['answered 500', 'answered 500', 'answered 500', 'answered 500']);
    expect(seen.map((e) => e.maxAttempts)).toEqual([4, 4, 4, 4]);
    // While retrying, nextAttemptAt says when the next attempt is due.
    expect(seen.slice(0, 3).map((e) => [e.delivery.state, since(e.delivery.nextAttemptAt!)])).toEqual([
      ['retrying', 1000],
      ['retrying', 6000],
      ['retrying', 36_000],
    ]);
    expect(seen[3]!.delivery).toMatchObject({ state: 'abandoned', abandonedReason: 'retries exhausted', nextAttemptAt: undefined });
    expect(time.pending).toBe(0);
    expect(target.received).toHaveLength(4);
    expect(state.deliveries.get(delivery.id)).toMatchObject({ state: 'abandoned' });
  });

  it('scales every delay by timeScale, and retryDelaysFor replaces the profile’s schedule', async () => {
    const scaled = await setup({ timeScale: 0.01 });
    scaled.engine.start(await newDelivery(scaled.state, `${scaled.target.url}/hooks`));
    const times: number[] = [];
    for (let i = 0; i < 4; i++) times.push(since((await fire(scaled.time, scaled.log)).attempt.at));
    expect(times).toEqual([0, 10, 60, 360]);
    await engine!.close();
    await app!.close();

    const custom = await setup({ retryDelaysFor: () => [250] });
    custom.engine.start(await newDelivery(custom.state, `${custom.target.url}/hooks`));
    expect((await fire(custom.time, custom.log)).maxAttempts).toBe(2);
    const last = await fire(custom.time, custom.log);
    expect(since(last.attempt.at)).toBe(250);
    expect(last.delivery.state).toBe('abandoned');
    expect(custom.time.pending).toBe(0);
  });

  it('a 2xx ends the schedule; redirects and other non-2xx count as failures', async () => {
    const { time, log, state, engine, target } = await setup({ statuses: [302, 404, 204] });
    engine.start(await newDelivery(state, `${target.url}/hooks`));
    const seen = [await fire(time, log), await fire(time, log), await fire(time, log)];
    expect(seen.map((e) => [e.attempt.status, e.delivery.state])).toEqual([
      [302, 'retrying'],
      [404, 'retrying'],
      [204, 'succeeded'],
    ]);
    expect(seen[2]!.attempt.error).toBeUndefined();
    expect(seen[2]!.delivery.nextAttemptAt).toBeUndefined();
    expect(time.pending).toBe(0);
  });

  it('signs each attempt afresh: same message id, the timestamp of the attempt', async () => {
    const { time, log, state, engine, target } = await setup({ signWith: koard, retryDelaysFor: () => [5000, 300_000] });
    const delivery = await newDelivery(state, `${target.url}/hooks`);
    engine.start(delivery);
    for (let i = 0; i < 3; i++) await fire(time, log);
    expect(target.received.map((r) => r.headers['svix-id'])).toEqual([delivery.eventId, delivery.eventId, delivery.eventId]);
    expect(target.received.map((r) => Number(r.headers['svix-timestamp']) - START / 1000)).toEqual([0, 5, 305]);
    expect(new Set(target.received.map((r) => r.headers['svix-signature'])).size).toBe(3);
    expect(new Set(target.received.map((r) => r.body.toString())).size).toBe(1);
  });

  it('a timeout counts as a failure and is retried', async () => {
    app = await startStubApp(() => new Promise(() => {})); // never answers
    const target = app;
    const time = manualTime(START);
    const log = attempts();
    const state = await SandboxState.open(undefined);
    engine = new DeliveryEngine(state, { timeScale: 1, timeoutMs: 50, clock: time.clock, timers: time.timers, signerFor: () => ({ profile, secret: SECRET, url: `${target.url}/hooks` }), onAttempt: log.onAttempt });
    engine.start(await newDelivery(state, `${target.url}/hooks`));
    const first = await fire(time, log);
    expect(first.attempt.status).toBeUndefined();
    expect(first.attempt.error).toMatch(/did not answer within 50 ms/);
    expect(first.delivery.state).toBe('retrying');
    expect(time.pending).toBe(1);
  });
});

describe('manual retries', () => {
  it('on an abandoned delivery: one attempt now, no schedule; it stays abandoned if it fails, succeeds if it succeeds', async () => {
    const { time, log, state, engine, target } = await setup({ retryDelaysFor: () => [], statuses: [500, 500, 200] });
    const delivery = await newDelivery(state, `${target.url}/hooks`);
    engine.start(delivery);
    expect((await fire(time, log)).delivery.state).toBe('abandoned');
    time.advance(60_000);
    const failed = await engine.retryNow(delivery);
    expect(failed).toMatchObject({ attempt: 2, manual: true, status: 500 });
    expect(state.deliveries.get(delivery.id)).toMatchObject({ state: 'abandoned' });
    expect(time.pending).toBe(0);
    const ok = await engine.retryNow(delivery);
    expect(ok).toMatchObject({ attempt: 3, manual: true, status: 200 });
    expect(state.deliveries.get(delivery.id)).toMatchObject({ state: 'succeeded', abandonedReason: undefined });
    expect(time.pending).toBe(0);
  });

  it('on a retrying delivery: replaces the pending retry, and a manual failure does not use up the schedule', async () => {
    const { time, log, state, engine, target } = await setup();
    const delivery = await newDelivery(state, `${target.url}/hooks`);
    engine.start(delivery);
    await fire(time, log); // scheduled attempt 1 fails: retry due at 1 s
    time.advance(400);
    await engine.retryNow(delivery); // manual attempt at 0.4 s fails
    expect((await log.next()).attempt).toMatchObject({ attempt: 2, manual: true });
    expect(time.pending).toBe(1);
    // Still the first retry's delay (one scheduled failure so far), counted from the manual attempt.
    expect(since(state.deliveries.get(delivery.id)!.nextAttemptAt!)).toBe(1400);
    const retry = await fire(time, log);
    expect(since(retry.attempt.at)).toBe(1400);
    expect(retry.attempt.manual).toBeUndefined();
    expect(since(retry.delivery.nextAttemptAt!)).toBe(6400);
  });
});

describe('restart', () => {
  it('resume() puts pending and retrying deliveries back on their schedule, the overdue ones at once', async () => {
    const { time, log, state, engine, target } = await setup({ statuses: [200] });
    const url = `${target.url}/hooks`;
    const at = (ms: number) => new Date(START + ms).toISOString();
    const later = await newDelivery(state, url, 'ep_1', { state: 'retrying', nextAttemptAt: at(30_000) });
    const overdue = await newDelivery(state, url, 'ep_1', { state: 'retrying', nextAttemptAt: at(-5000) });
    const pending = await newDelivery(state, url, 'ep_1');
    await newDelivery(state, url, 'ep_1', { state: 'succeeded' });
    await newDelivery(state, url, 'ep_1', { state: 'abandoned', abandonedReason: 'retries exhausted' });
    await newDelivery(state, url, 'ep_off', { state: 'retrying', nextAttemptAt: at(1000) });
    await state.setHealth('ep_off', { failingSince: at(-100_000), disabledAt: at(-1000) });
    engine.resume();
    expect(time.pending).toBe(3);
    const order = [await fire(time, log), await fire(time, log), await fire(time, log)].map((e) => [e.delivery.id, since(e.attempt.at)]);
    expect(order.slice(0, 2).map(([, t]) => t)).toEqual([0, 0]);
    expect(order.slice(0, 2).map(([id]) => id).sort()).toEqual([overdue.id, pending.id].sort());
    expect(order[2]).toEqual([later.id, 30_000]);
    expect(time.pending).toBe(0);
  });
});

describe('disabling an endpoint', () => {
  it('when every attempt has failed for the limit: reports it once, abandons the endpoint’s other deliveries, and enable() starts over', async () => {
    const { time, log, state, engine, target, disabled } = await setup({ disableAfterFailingMs: (id) => (id === 'ep_1' ? 6000 : undefined) });
    const url = `${target.url}/hooks`;
    const first = await newDelivery(state, url);
    const other = await newDelivery(state, url);
    const elsewhere = await newDelivery(state, url, 'ep_2');
    engine.start(first);
    await fire(time, log); // 0 s: the run of failures starts
    engine.start(other);
    engine.start(elsewhere);
    await fire(time, log);
    await fire(time, log);
    await fire(time, log); // first's retry at 1 s
    expect(disabled).toEqual([]);
    // Next due: other and elsewhere at 1 s, first at 6 s. Fire until the endpoint is disabled.
    while (disabled.length === 0) await fire(time, log);
    expect(disabled).toEqual([{ endpointId: 'ep_1', url, status: 'disabled', failingSince: new Date(START).toISOString(), disabledAt: new Date(START + 6000).toISOString(), afterMs: 6000 }]);
    expect(engine.isDisabled('ep_1')).toBe(true);
    expect(state.deliveries.get(first.id)).toMatchObject({ state: 'abandoned', abandonedReason: 'endpoint disabled' });
    expect(state.deliveries.get(other.id)).toMatchObject({ state: 'abandoned', abandonedReason: 'endpoint disabled' });
    // Another endpoint's schedule goes on.
    expect(state.deliveries.get(elsewhere.id)).toMatchObject({ state: 'retrying' });
    expect(time.pending).toBe(1);
    await engine.enable('ep_1');
    expect(engine.isDisabled('ep_1')).toBe(false);
    expect(state.health.get('ep_1')).toBeUndefined();
  });

  it('a success ends the run of failures', async () => {
    const { time, log, state, engine, target, disabled } = await setup({ statuses: [500, 200, 500], disableAfterFailingMs: () => 1000, retryDelaysFor: () => [600, 600, 600] });
    const a = await newDelivery(state, `${target.url}/hooks`);
    engine.start(a);
    await fire(time, log); // 0: fails, run starts
    expect(state.health.get('ep_1')).toEqual({ failingSince: new Date(START).toISOString() });
    await fire(time, log); // 600: succeeds, run ends
    expect(state.health.get('ep_1')?.failingSince).toBeUndefined();
    time.advance(5000);
    engine.start(await newDelivery(state, `${target.url}/hooks`));
    await fire(time, log); // 5600: fails, a new run
    expect(since(state.health.get('ep_1')!.failingSince!)).toBe(5600);
    expect(disabled).toEqual([]);
  });
});

describe('missing pieces and shutdown', () => {
  it('without a signer the attempt records why and the delivery is abandoned, with nothing sent', async () => {
    const { time, log, state, engine, target } = await setup({ signerFor: () => undefined });
    engine.start(await newDelivery(state, `${target.url}/hooks`));
    const seen = await fire(time, log);
    expect(seen.attempt).toMatchObject({ attempt: 1, durationMs: 0, error: 'no signing secret for this delivery (endpoint deleted?)' });
    expect(seen.delivery).toMatchObject({ state: 'abandoned', abandonedReason: 'retries exhausted' });
    expect(target.received).toHaveLength(0);
  });

  it('a delivery whose event body is gone records why and retries on the schedule', async () => {
    const { time, log, state, engine, target } = await setup();
    const delivery = await newDelivery(state, `${target.url}/hooks`);
    state.events.delete(delivery.eventId);
    engine.start(delivery);
    const seen = await fire(time, log);
    expect(seen.attempt.error).toBe('the event of this delivery is missing from the state file');
    expect(seen.delivery.state).toBe('retrying');
    expect(target.received).toHaveLength(0);
  });

  it('close() cancels every pending attempt and schedules nothing more', async () => {
    const { time, state, engine, target } = await setup();
    engine.start(await newDelivery(state, `${target.url}/hooks`));
    engine.start(await newDelivery(state, `${target.url}/hooks`));
    expect(time.pending).toBe(2);
    await engine.close();
    expect(time.pending).toBe(0);
    engine.start(await newDelivery(state, `${target.url}/hooks`));
    expect(time.pending).toBe(0);
    await engine.close(); // idempotent
    expect(target.received).toHaveLength(0);
  });
});
