import { createHmac } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { spawn } from 'node:child_process';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { paykore } from '../src/providers/paykore.js';
import { koard } from '../src/providers/koard.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { Webhook as SvixWebhook } from 'svix';
import { BIN, cliEnv } from './support/cli.js';
import { startStubApp, type StubApp, type Received } from './support/stub-app.js';
import type { JsonRecord } from './support/json.js';

const KEY = 'sk_test_sandbox_suite';
const SCALE = 0.00001; // PayKore's 24 h becomes 864 ms; the whole schedule about 1.2 s
let sandbox: Sandbox | undefined;
let app: StubApp | undefined;
let dir: string | undefined;

afterEach(async () => {
  await sandbox?.close();
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  sandbox = app = dir = undefined;
});

async function api(method: string, url: string, body?: unknown, key: string | null = KEY) {
  const res = await request(url, { method: method as 'GET', headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
  return { status: res.statusCode, json: (await res.body.json()) as JsonRecord };
}

/** A receiver that fails the first `failures` requests with 500, then answers 200; `arrived(n)` resolves at the n-th request. */
async function flakyApp(failures: number) {
  const waiters: { n: number; resolve: () => void }[] = [];
  const times: number[] = [];
  let received: Received[] = [];
  const receiver = await startStubApp(() => {
    times.push(performance.now());
    for (const w of waiters.filter((w) => received.length >= w.n)) w.resolve();
    return { status: received.length <= failures ? 500 : 200, body: '{}' };
  });
  received = receiver.received;
  return {
    receiver,
    times,
    arrived: (n: number) => new Promise<void>((resolve) => (received.length >= n ? resolve() : waiters.push({ n, resolve }))),
  };
}

/** Resolves when the delivery reaches a state (the sandbox reports each attempt). */
function attemptsUntil(predicate: (state: string) => boolean) {
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return { done, onAttempt: ({ delivery }: { delivery: { state: string } }) => predicate(delivery.state) && resolve() };
}

describe('webhook sandbox API', () => {
  it('registers an endpoint, rejects bad keys, non-HTTPS URLs, unknown events and bad JSON in PayKore’s error shape', async () => {
    sandbox = await startSandbox({}, { clock: systemClock });
    const created = await api('POST', `${sandbox.url}/v1/webhooks`, { url: 'https://example.com/hooks', events: ['transaction.completed'] });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ url: 'https://example.com/hooks', events: ['transaction.completed'], status: 'active' });
    expect(created.json.id).toMatch(/^wh_/);
    expect(created.json.secret).toMatch(/^whsec_/);

    expect((await api('POST', `${sandbox.url}/v1/webhooks`, { url: 'https://x.y' }, null)).json.error.code).toBe('UNAUTHORIZED');
    const badKey = await api('POST', `${sandbox.url}/v1/webhooks`, { url: 'https://x.y' }, 'pk_live_123');
    expect(badKey).toMatchObject({ status: 401, json: { error: { code: 'INVALID_API_KEY' } } });
    expect(await api('POST', `${sandbox.url}/v1/webhooks`, { url: 'http://example.com/hooks' })).toMatchObject({ status: 400, json: { error: { code: 'INVALID_WEBHOOK_URL' } } });
    expect((await api('POST', `${sandbox.url}/v1/webhooks`, { url: 'http://localhost:3000/hooks' })).status).toBe(201);
    const unknown = await api('POST', `${sandbox.url}/v1/webhooks`, { url: 'https://x.y', events: ['charge.success'] });
    expect(unknown).toMatchObject({ status: 400, json: { error: { code: 'INVALID_EVENT' } } });
    expect(unknown.json.error.message).toContain('transaction.completed');
    expect(await api('POST', `${sandbox.url}/v1/webhooks`, '{"url":')).toMatchObject({ status: 400, json: { error: { code: 'INVALID_JSON' } } });

    // Listing shows the key's own endpoints, never their secrets; another key sees none.
    const list = await api('GET', `${sandbox.url}/v1/webhooks`);
    expect(list.json.data).toHaveLength(2);
    expect(JSON.stringify(list.json)).not.toContain('whsec_');
    expect((await api('GET', `${sandbox.url}/v1/webhooks`, undefined, 'sk_test_someone_else')).json.data).toHaveLength(0);
    expect((await api('GET', `${sandbox.url}/v1/webhooks/${created.json.id}`)).json.url).toBe('https://example.com/hooks');
    expect(await api('DELETE', `${sandbox.url}/v1/webhooks/${created.json.id}`)).toMatchObject({ status: 200, json: { deleted: true } });
    expect((await api('GET', `${sandbox.url}/v1/webhooks/${created.json.id}`)).status).toBe(404);
  });

  it('retries on PayKore’s scaled schedule with the same event id, and stops at the first success', async () => {
    const flaky = await flakyApp(3);
    app = flaky.receiver;
    const until = attemptsUntil((s) => s === 'succeeded');
    sandbox = await startSandbox({ timeScale: SCALE }, { clock: systemClock, onAttempt: until.onAttempt });
    const endpoint = (await api('POST', `${sandbox.url}/v1/webhooks`, { url: `${app.url}/hooks`, events: ['transaction.completed'] })).json;
    const emitted = await api('POST', `${sandbox.url}/v1/events`, { event: 'transaction.completed' });
    expect(emitted.status).toBe(202);
    await until.done;
    expect(app.received).toHaveLength(4);
    for (const r of app.received) {
      // Verified as a PayKore receiver would: HMAC-SHA256 of the raw bytes with the endpoint secret.
      expect(r.headers['x-paykore-signature']).toBe(`sha256=${createHmac('sha256', endpoint.secret).update(r.body).digest('hex')}`);
      expect(JSON.parse(r.body.toString()).event).toBe('transaction.completed');
    }
    expect(new Set(app.received.map((r) => r.body.toString())).size).toBe(1);
    const deliveries = (await api('GET', `${sandbox.url}/v1/webhooks/${endpoint.id}/deliveries`)).json.data;
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ event: 'transaction.completed', state: 'succeeded', attempt: 4, status_code: 200, next_attempt_at: null });
    expect(deliveries[0].attempts.map((a: { status_code: number }) => a.status_code)).toEqual([500, 500, 500, 200]);
    // Each gap is at least its scaled delay (timers never fire early; 2 ms of rounding allowed).
    const gaps = flaky.times.slice(1).map((t, i) => t - flaky.times[i]!);
    for (const [i, ms] of paykore.retryDelaysMs.slice(0, 3).entries()) expect(gaps[i]).toBeGreaterThanOrEqual(ms * SCALE - 2);
  });

  it('abandons after the last retry (1 attempt + 8 retries), then a manual retry delivers again', async () => {
    let healthy = false;
    app = await startStubApp(() => ({ status: healthy ? 200 : 503 }));
    const until = attemptsUntil((s) => s === 'abandoned');
    sandbox = await startSandbox({ timeScale: SCALE }, { clock: systemClock, onAttempt: until.onAttempt });
    await api('POST', `${sandbox.url}/v1/webhooks`, { url: `${app.url}/hooks` });
    await api('POST', `${sandbox.url}/v1/events`, { event: 'kyc.verified', data: { id: 'kyc_1', status: 'verified' } });
    await until.done;
    expect(app.received).toHaveLength(paykore.retryDelaysMs.length + 1);
    const [delivery] = (await api('GET', `${sandbox.url}/v1/deliveries`)).json.data;
    expect(delivery).toMatchObject({ state: 'abandoned', attempt: 9, status_code: 503 });
    expect(JSON.parse(app.received[0]!.body.toString())).toEqual({ event: 'kyc.verified', data: { id: 'kyc_1', status: 'verified' } });

    healthy = true;
    const retried = await api('POST', `${sandbox.url}/v1/deliveries/${delivery.id}/retry`);
    expect(retried.json).toMatchObject({ state: 'succeeded', attempt: 10, status_code: 200 });
    expect(retried.json.attempts.at(-1).manual).toBe(true);
    expect(app.received).toHaveLength(10);
  });

  it('keeps endpoints and deliveries across a restart with --store (state file mode 0600)', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'webhook-sandbox-'));
    app = await startStubApp();
    sandbox = await startSandbox({ storeDir: dir }, { clock: systemClock });
    const endpoint = (await api('POST', `${sandbox.url}/v1/webhooks`, { url: `${app.url}/hooks` })).json;
    await sandbox.close();
    expect((await stat(path.join(dir, 'sandbox.json'))).mode & 0o777).toBe(0o600);
    sandbox = await startSandbox({ storeDir: dir }, { clock: systemClock });
    expect((await api('GET', `${sandbox.url}/v1/webhooks/${endpoint.id}`)).json.id).toBe(endpoint.id);
  });

  it('delivers as Koard (Svix) to a target with Koard’s retry schedule', async () => {
    const flaky = await flakyApp(1);
    app = flaky.receiver;
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const until = attemptsUntil((s) => s === 'succeeded');
    sandbox = await startSandbox({ timeScale: SCALE, deliverAs: { profile: koard, url: `${app.url}/koard`, secret } }, { clock: systemClock, onAttempt: until.onAttempt });
    expect((await api('POST', `${sandbox.url}/v1/events`, { event: 'transaction.captured' })).status).toBe(202);
    await until.done;
    expect(app.received).toHaveLength(2);
    const ids = app.received.map((r) => r.headers['svix-id']);
    expect(ids[0]).toBe(ids[1]);
    for (const r of app.received) expect(() => new SvixWebhook(secret).verify(r.body.toString(), r.headers as Record<string, string>)).not.toThrow();
  });
});

describe('webhook sandbox (built CLI)', () => {
  it('prints a ready line with --json, serves the API, and exits 130 on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'sandbox', '--json'], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = createInterface({ input: child.stdout! });
    const ready = await new Promise<{ type: string; url: string }>((resolve) => lines.once('line', (l) => resolve(JSON.parse(l))));
    expect(ready.type).toBe('ready');
    expect((await api('POST', `${ready.url}/v1/webhooks`, { url: 'https://example.com/x' })).status).toBe(201);
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(130);
  });

  it('rejects --deliver-as without --to (exit 2, one line)', async () => {
    const child = spawn(process.execPath, [BIN, 'sandbox', '--deliver-as', 'koard', '--secret', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(2);
    expect(stderr).toMatch(/^error: --deliver-as koard needs --to <url>\nhint: /);
  });
});
