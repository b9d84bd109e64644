/**
 * Provider fidelity (issue 23): retry schedules, endpoint disabling, abandonment, dedupe keys,
 * secrets of the wrong kind and IP allow-lists, as the providers document them:
 * - Koard signs with Svix: https://docs.svix.com/retries (8 attempts: immediately, then 5 s, 5 min,
 *   30 min, 2 h, 5 h, 10 h, 10 h after the previous failure; an endpoint whose attempts all fail
 *   for 5 days is disabled).
 * - Paystack: https://paystack.com/docs/payments/webhooks/ (test mode hourly for 10 hours; live
 *   mode every 3 minutes for the first 4 tries, then hourly for the next 72 hours; deliveries from
 *   52.31.139.75, 52.49.173.169, 52.214.14.220).
 * Schedules run on an injected clock and timers (no waiting for real hours) or, through the
 * built CLI, on --time-scale.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import proxyaddr from 'proxy-addr';
import { Webhook as SvixWebhook } from 'svix';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { koard } from '../src/providers/koard.js';
import { paykore } from '../src/providers/paykore.js';
import { paystack } from '../src/providers/paystack.js';
import type { AttemptEvent, EndpointEvent } from '../src/sandbox/engine.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { BIN, cliEnv, runCli } from './support/cli.js';
import { startListenCli, type ListenProcess } from './support/listen.js';
import { manualTime } from './support/manual-time.js';
import { startStubApp, type StubApp } from './support/stub-app.js';
import type { JsonRecord } from './support/json.js';

const KEY = 'sk_test_fidelity_suite';
const KOARD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const PAYSTACK_SECRET = 'sk_test_fidelity_paystack';
const PAYSTACK_IPS = ['52.31.139.75', '52.49.173.169', '52.214.14.220'];
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SCALE = 0.001;

let sandbox: Sandbox | undefined;
let app: StubApp | AllowListingApp | undefined;
let listen: ListenProcess | undefined;
let child: ChildProcess | undefined;
let dir: string | undefined;

afterEach(async () => {
  await sandbox?.close();
  await app?.close();
  if (listen && listen.child.exitCode === null && listen.child.signalCode === null) await listen.stop('SIGKILL');
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
  sandbox = app = listen = child = dir = undefined;
});

async function api(method: string, url: string, body?: unknown) {
  const res = await request(url, { method: method as 'GET', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.statusCode, json: (await res.body.json()) as JsonRecord };
}

interface Seen {
  readonly at: number;
  readonly state: string;
  readonly maxAttempts: number;
  readonly reason: string | undefined;
  readonly delivery: string;
}

/** The sandbox's attempts, in order, as they happen; `next()` waits for the next one. */
function attemptLog() {
  const backlog: Seen[] = [];
  let waiting: ((seen: Seen) => void) | undefined;
  return {
    onAttempt: ({ delivery, attempt, maxAttempts }: AttemptEvent) => {
      const seen = { at: Date.parse(attempt.at), state: delivery.state, maxAttempts, reason: delivery.abandonedReason, delivery: delivery.id };
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        w(seen);
      } else backlog.push(seen);
    },
    next: () => (backlog.length > 0 ? Promise.resolve(backlog.shift()!) : new Promise<Seen>((resolve) => (waiting = resolve))),
  };
}

type Time = ReturnType<typeof manualTime>;

/** Fire timers one at a time until the delivery stops retrying; every attempt it made. */
async function settle(time: Time, log: ReturnType<typeof attemptLog>): Promise<Seen[]> {
  const seen: Seen[] = [];
  while (time.next()) {
    const attempt = await log.next();
    seen.push(attempt);
    if (attempt.state !== 'retrying') break;
  }
  return seen;
}

const gaps = (seen: readonly Seen[]) => seen.slice(1).map((s, i) => s.at - seen[i]!.at);
const scaled = (delays: readonly number[]) => delays.map((ms) => ms * SCALE);

describe('retry schedules as documented (injected clock, --time-scale 0.001)', () => {
  it('Koard: 8 attempts in all, the first immediate, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', async () => {
    app = await startStubApp(() => ({ status: 500 }));
    const time = manualTime(Date.now());
    const log = attemptLog();
    sandbox = await startSandbox({ timeScale: SCALE, deliverAs: { profile: koard, url: `${app.url}/koard`, secret: KOARD_SECRET } }, { clock: time.clock, timers: time.timers, onAttempt: log.onAttempt });
    const emitted = await api('POST', `${sandbox.url}/v1/events`, { event: 'transaction.captured' });
    const seen = await settle(time, log);
    expect(seen).toHaveLength(8);
    expect(app.received).toHaveLength(8);
    expect(gaps(seen)).toEqual(scaled([5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR]));
    expect(seen.every((s) => s.maxAttempts === 8)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ state: 'abandoned', reason: 'retries exhausted' });
    // Each attempt is signed afresh and verifies with the official svix library; svix-id is the event id throughout.
    for (const r of app.received) {
      expect(() => new SvixWebhook(KOARD_SECRET).verify(r.body.toString(), r.headers as Record<string, string>)).not.toThrow();
      expect(r.headers['svix-id']).toBe(emitted.json.event_id);
    }
    expect(time.pending).toBe(0);
  });

  it('Paystack test mode (default): hourly for 10 hours, 11 attempts', async () => {
    app = await startStubApp(() => ({ status: 500 }));
    const time = manualTime();
    const log = attemptLog();
    sandbox = await startSandbox({ timeScale: SCALE, deliverAs: { profile: paystack, url: `${app.url}/paystack`, secret: PAYSTACK_SECRET } }, { clock: time.clock, timers: time.timers, onAttempt: log.onAttempt });
    expect(sandbox.schedule).toMatchObject({ mode: 'test', attempts: 11 });
    await api('POST', `${sandbox.url}/v1/events`, { event: 'charge.success' });
    const seen = await settle(time, log);
    expect(gaps(seen)).toEqual(scaled(Array.from({ length: 10 }, () => HOUR)));
    expect(seen.at(-1)!.state).toBe('abandoned');
  });

  it('Paystack live mode: every 3 minutes for the first 4 tries, then hourly for 72 hours (77 attempts)', async () => {
    app = await startStubApp(() => ({ status: 500 }));
    const time = manualTime();
    const log = attemptLog();
    sandbox = await startSandbox({ timeScale: SCALE, mode: 'live', deliverAs: { profile: paystack, url: `${app.url}/paystack`, secret: PAYSTACK_SECRET } }, { clock: time.clock, timers: time.timers, onAttempt: log.onAttempt });
    await api('POST', `${sandbox.url}/v1/events`, { event: 'charge.success' });
    const seen = await settle(time, log);
    expect(seen).toHaveLength(77);
    expect(gaps(seen)).toEqual(scaled([...Array.from({ length: 4 }, () => 3 * MINUTE), ...Array.from({ length: 72 }, () => HOUR)]));
    expect(seen.at(-1)!.at - seen[0]!.at).toBe((12 * MINUTE + 72 * HOUR) * SCALE);
    // Every attempt is the same bytes, validly signed with the secret key (HMAC-SHA512).
    for (const r of app.received) expect(r.headers['x-paystack-signature']).toBe(createHmac('sha512', PAYSTACK_SECRET).update(r.body).digest('hex'));
    expect(new Set(app.received.map((r) => r.body.toString('base64'))).size).toBe(1);
  });

  it('PayKore: 1 + 8 attempts by default; --abandon-after 8 abandons after the 8th failed attempt in all', async () => {
    app = await startStubApp(() => ({ status: 503 }));
    for (const [abandonAfter, attempts] of [
      [undefined, 9],
      [8, 8],
    ] as const) {
      const time = manualTime();
      const log = attemptLog();
      sandbox = await startSandbox({ timeScale: SCALE, ...(abandonAfter ? { abandonAfter } : {}) }, { clock: time.clock, timers: time.timers, onAttempt: log.onAttempt });
      await api('POST', `${sandbox.url}/v1/webhooks`, { url: `${app.url}/hooks` });
      await api('POST', `${sandbox.url}/v1/events`, { event: 'transaction.completed' });
      const seen = await settle(time, log);
      expect(seen).toHaveLength(attempts);
      expect(gaps(seen)).toEqual(scaled([1 * SECOND, 5 * SECOND, 30 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 6 * HOUR, 24 * HOUR]).slice(0, attempts - 1));
      const [delivery] = (await api('GET', `${sandbox.url}/v1/deliveries`)).json.data;
      expect(delivery).toMatchObject({ state: 'abandoned', attempt: attempts, abandoned_reason: 'retries exhausted', next_attempt_at: null });
      await sandbox.close();
    }
    await expect(startSandbox({ abandonAfter: 10 }, { clock: manualTime().clock })).rejects.toThrow(/--abandon-after 10: paykore's schedule has 9 attempts in all/);
    await expect(startSandbox({ mode: 'live' }, { clock: manualTime().clock })).rejects.toThrow(/paykore documents one retry schedule/);
  });
});

describe('Koard disables an endpoint whose every attempt fails for 5 days (scaled)', () => {
  /** The sandbox delivering as Koard to an app answering `status()`, on manual time: what each test watches. */
  async function koardSandbox(status: () => number) {
    const stub = await startStubApp(() => ({ status: status() }));
    app = stub;
    const time = manualTime(Date.now());
    const log = attemptLog();
    const disabled: EndpointEvent[] = [];
    sandbox = await startSandbox(
      { timeScale: SCALE, deliverAs: { profile: koard, url: `${stub.url}/koard`, secret: KOARD_SECRET } },
      { clock: time.clock, timers: time.timers, onAttempt: log.onAttempt, onEndpoint: (e) => disabled.push(e) },
    );
    return { time, log, disabled, stub, url: sandbox.url };
  }

  it('disables it at the first failure 5 scaled days after the run began, stops its retries, shows it, and can enable it again', async () => {
    let healthy = false;
    const { time, log, disabled, stub, url } = await koardSandbox(() => (healthy ? 200 : 503));
    // A new event every (scaled) day, each failing through its whole schedule, until the endpoint is disabled.
    const failures: Seen[] = [];
    for (let day = 0; day < 10 && disabled.length === 0; day++) {
      if (day > 0) time.advance(DAY * SCALE);
      await api('POST', `${url}/v1/events`, { event: 'transaction.created' });
      failures.push(...(await settle(time, log)));
    }
    expect(disabled).toHaveLength(1);
    const first = failures[0]!.at;
    const limit = 5 * DAY * SCALE;
    expect(disabled[0]).toMatchObject({ endpointId: 'target', status: 'disabled', failingSince: new Date(first).toISOString() });
    expect(Date.parse(disabled[0]!.disabledAt) - first).toBeGreaterThanOrEqual(limit);
    expect(failures.at(-2)!.at - first).toBeLessThan(limit); // not a failure earlier
    expect(failures.at(-1)).toMatchObject({ state: 'abandoned', reason: 'endpoint disabled' });
    expect(time.pending).toBe(0);
    expect((await api('GET', `${url}/v1/target`)).json).toMatchObject({ provider: 'koard', status: 'disabled', disabled_at: disabled[0]!.disabledAt });

    // While disabled, nothing is sent; the delivery waits, abandoned, for a retry by hand.
    const received = stub.received.length;
    const quiet = await api('POST', `${url}/v1/events`, { event: 'transaction.created' });
    expect(time.pending).toBe(0);
    expect(stub.received).toHaveLength(received);
    const waiting = (await api('GET', `${url}/v1/deliveries/${quiet.json.deliveries[0]}`)).json;
    expect(waiting).toMatchObject({ state: 'abandoned', abandoned_reason: 'endpoint disabled', attempt: 0 });

    expect((await api('POST', `${url}/v1/target/enable`)).json).toMatchObject({ status: 'enabled', failing_since: null, disabled_at: null });
    healthy = true;
    expect((await api('POST', `${url}/v1/deliveries/${waiting.id}/retry`)).json).toMatchObject({ state: 'succeeded', status_code: 200, abandoned_reason: null });
  });

  it('a success ends the run of failures: the 5 days start again from the next failure', async () => {
    let failing = true;
    const { time, log, disabled, url } = await koardSandbox(() => (failing ? 503 : 200));
    // Each event fails through Koard's whole schedule (27.6 h, scaled); the next is emitted at its last attempt.
    const failThrough = async () => {
      await api('POST', `${url}/v1/events`, { event: 'transaction.created' });
      return settle(time, log);
    };
    const firstRun = (await failThrough())[0]!.at;
    for (let i = 0; i < 3; i++) await failThrough(); // 4 events: failing for 4.6 days
    expect(time.now - firstRun).toBeLessThan(5 * DAY * SCALE);
    failing = false;
    expect((await failThrough()).at(-1)!.state).toBe('succeeded');
    failing = true;
    const secondRun = (await failThrough())[0]!.at;
    for (let i = 0; i < 3; i++) await failThrough(); // 9.2 days of failures in all, never 5 in a row
    expect(time.now - firstRun).toBeGreaterThan(5 * DAY * SCALE);
    expect(disabled).toHaveLength(0);
    expect((await api('GET', `${url}/v1/target`)).json).toMatchObject({ status: 'enabled', failing_since: new Date(secondRun).toISOString() });
    // One more event makes 5 days of failures since the success: disabled.
    await failThrough();
    expect(disabled).toHaveLength(1);
    expect(disabled[0]!.failingSince).toBe(new Date(secondRun).toISOString());
  });

  it('PayKore endpoints are never disabled (PayKore documents no such rule)', () => {
    expect(paykore.disableEndpointAfterFailingMs).toBeUndefined();
    expect(koard.disableEndpointAfterFailingMs).toBe(5 * DAY);
  });
});

describe('dedupe: every attempt carries the same bytes (docs/sandbox.md)', () => {
  it('PayKore: byte-identical bodies with the same data.id; no header carries the sandbox event_id (PayKore documents none)', async () => {
    let calls = 0;
    app = await startStubApp(() => ({ status: ++calls <= 2 ? 500 : 200 }));
    const time = manualTime();
    const log = attemptLog();
    sandbox = await startSandbox({ timeScale: SCALE }, { clock: time.clock, timers: time.timers, onAttempt: log.onAttempt });
    const endpoint = (await api('POST', `${sandbox.url}/v1/webhooks`, { url: `${app.url}/hooks` })).json;
    const emitted = (await api('POST', `${sandbox.url}/v1/events`, { event: 'transaction.completed' })).json;
    expect((await settle(time, log)).map((s) => s.state)).toEqual(['retrying', 'retrying', 'succeeded']);
    const [first, ...rest] = app.received;
    for (const r of rest) expect(r.body.equals(first!.body)).toBe(true);
    const dataId = JSON.parse(first!.body.toString()).data.id;
    expect(typeof dataId).toBe('string');
    for (const r of app.received) {
      expect(r.headers['x-paykore-signature']).toBe(`sha256=${createHmac('sha256', endpoint.secret).update(r.body).digest('hex')}`);
      expect(Object.values(r.headers)).not.toContain(emitted.event_id);
    }
  });
});

describe('webhook providers --json shows every schedule', () => {
  it('lists attempts and delays per mode (both Paystack modes), Koard’s endpoint disabling and Paystack’s addresses', async () => {
    const result = await runCli(['providers', '--json']);
    expect(result.code).toBe(0);
    const rows = Object.fromEntries(result.stdout.trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.name, r]));
    expect(rows.paystack.retryMode).toBe('test');
    expect(rows.paystack.retrySchedules.test).toEqual({ attempts: 11, retryDelaysMs: Array.from({ length: 10 }, () => HOUR), lastAttemptAfterMs: 10 * HOUR });
    expect(rows.paystack.retrySchedules.live.attempts).toBe(77);
    expect(rows.paystack.retrySchedules.live.lastAttemptAfterMs).toBe(12 * MINUTE + 72 * HOUR);
    expect(rows.paystack.sourceIps).toEqual(PAYSTACK_IPS);
    expect(rows.koard.retrySchedules).toEqual({ default: { attempts: 8, retryDelaysMs: [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR], lastAttemptAfterMs: 99_305_000 } });
    expect(rows.koard.disableEndpointAfterFailingMs).toBe(5 * DAY);
    expect(rows.paykore.retrySchedules.default.attempts).toBe(9);
  });
});

describe('webhook sandbox --mode / --abandon-after (built CLI, --time-scale)', () => {
  it('delivers as Paystack in live mode, abandons after --abandon-after attempts and says so in --json', async () => {
    app = await startStubApp(() => ({ status: 500 }));
    child = spawn(
      process.execPath,
      [BIN, 'sandbox', '--json', '--deliver-as', 'paystack', '--mode', 'live', '--abandon-after', '6', '--time-scale', '0.0000001', '--to', `${app.url}/paystack`, '--secret', PAYSTACK_SECRET],
      { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const lines: JsonRecord[] = [];
    let settled!: () => void;
    const abandoned = new Promise<void>((resolve) => (settled = resolve));
    let readyLine!: (l: JsonRecord) => void;
    const ready = new Promise<JsonRecord>((resolve) => (readyLine = resolve));
    createInterface({ input: child.stdout! }).on('line', (l) => {
      const line = JSON.parse(l) as JsonRecord;
      lines.push(line);
      if (line.type === 'ready') readyLine(line);
      if (line.type === 'attempt' && line.state === 'abandoned') settled();
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<never>((_, reject) => child!.once('exit', (code) => reject(new Error(`sandbox exited ${code}: ${stderr}`))));
    const r = await Promise.race([ready, exited]);
    expect(r).toMatchObject({ deliverAs: 'paystack', retryMode: 'live', maxAttempts: 6, retryDelaysMs: [3 * MINUTE, 3 * MINUTE, 3 * MINUTE, 3 * MINUTE, HOUR] });
    expect((await api('POST', `${r.url}/v1/events`, { event: 'charge.success' })).status).toBe(202);
    await abandoned;
    const attempts = lines.filter((l) => l.type === 'attempt');
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(attempts.every((a) => a.maxAttempts === 6)).toBe(true);
    expect(app.received).toHaveLength(6);
    const exit = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(130); // interrupted: the shell convention
  });

  it('rejects an unknown mode, --mode for a one-schedule provider and --abandon-after beyond the schedule (exit 2, error + hint)', async () => {
    const unknown = await runCli(['sandbox', '--deliver-as', 'paystack', '--mode', 'staging', '--to', 'http://127.0.0.1:9/x', '--secret', PAYSTACK_SECRET]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: paystack has no "staging" retry schedule\nhint: choose one of: test, live\n$/);
    const koardMode = await runCli(['sandbox', '--deliver-as', 'koard', '--mode', 'live', '--to', 'http://127.0.0.1:9/x', '--secret', KOARD_SECRET]);
    expect(koardMode.code).toBe(2);
    expect(koardMode.stderr).toMatch(/^error: koard documents one retry schedule, so --mode does not apply\nhint: /);
    const tooMany = await runCli(['sandbox', '--deliver-as', 'koard', '--abandon-after', '9', '--to', 'http://127.0.0.1:9/x', '--secret', KOARD_SECRET]);
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toMatch(/^error: --abandon-after 9: koard's schedule has 8 attempts in all\nhint: pass a number from 1 to 8/);
  });
});

describe('secrets of the wrong kind: one warning, never the secret', () => {
  const sign = (provider: string, secret: string) => runCli(['sign', '--provider', provider, '--secret', secret, '--body', '{"a":1}', '--id', 'msg_1', '--timestamp', '1700000000']);

  it.each([
    ['stripe', 'sk_test_51Habcdefghijklmnop', /looks like a Stripe API key \(sk_\/rk_\), not a webhook signing secret/, 'Stripe dashboard → Developers → Webhooks → Signing secret'],
    ['stripe', 'rk_live_51Habcdefghijklmnop', /looks like a Stripe API key/, 'Signing secret'],
    ['stripe', '5f2b0c7e9a1d4e3f8b6a', /without its whsec_ prefix/, 'Signing secret'],
    ['paystack', 'pk_test_0123456789abcdef', /looks like a Paystack public key/, 'API Keys & Webhooks'],
    ['paykore', 'c2VjcmV0LXdpdGhvdXQtcHJlZml4', /without its whsec_ prefix/, 'returned once when the endpoint is registered'],
    ['paykore', 'sk_test_0123456789', /looks like a PayKore API key/, 'returned once when the endpoint is registered'],
  ])('%s secret %s: warns once on stderr, still signs', async (provider, secret, looksLike, where) => {
    const result = await sign(provider, secret);
    expect(result.code).toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warning: the \w+ secret from --secret looks like /);
    expect(lines[0]).toMatch(looksLike);
    expect(lines[0]).toContain(where);
    expect(result.stderr).not.toContain(secret);
  });

  it('a wrong kind that cannot be used at all is an error that says what it looks like (exit 2)', async () => {
    const result = await sign('koard', 'sk_live_0123456789abcdef');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: the koard secret from --secret cannot be used: .*; it looks like an API key, not an endpoint signing secret\nhint: a koard secret looks like whsec_<base64> \(Koard portal → Webhooks/);
    expect(result.stderr).not.toContain('sk_live_0123456789abcdef');
  });

  it('says nothing for the right kind, and names the env var it came from', async () => {
    for (const [provider, secret] of [
      ['stripe', 'whsec_0123456789abcdef'],
      ['paystack', 'sk_live_0123456789abcdef'],
      ['paykore', 'whsec_0123456789abcdef'],
      ['koard', KOARD_SECRET],
    ] as const) {
      const result = await sign(provider, secret);
      expect([provider, result.stderr]).toEqual([provider, '']);
    }
    const fromEnv = await runCli(['sign', '--provider', 'paystack', '--body', '{}'], { env: { PAYSTACK_SECRET_KEY: 'pk_live_0123456789abcdef' } });
    expect(fromEnv.stderr).toMatch(/^warning: the paystack secret from \$PAYSTACK_SECRET_KEY looks like a Paystack public key/);
  });

  it('a Koard secret without whsec_ is not a mistake: Svix keys are the base64 after an optional prefix, so the signature is the same', async () => {
    const bare = await sign('koard', KOARD_SECRET.slice('whsec_'.length));
    const full = await sign('koard', KOARD_SECRET);
    expect(bare.stderr).toBe('');
    expect(bare.stdout).toBe(full.stdout);
  });
});

// ---- IP allow-lists through X-Forwarded-For -------------------------------------------------

interface AllowListingApp {
  readonly url: string;
  /** The client address the app decided on, and the X-Forwarded-For it got, per request. */
  readonly seen: { client: string; forwardedFor: string | undefined; status: number }[];
  close(): Promise<void>;
}

/**
 * A Paystack handler as the docs recommend: it trusts the proxies on loopback (Express's
 * `trust proxy: "loopback"`, via proxy-addr), refuses (403) a client address that is not one of
 * Paystack's, then verifies the signature over the raw bytes and dedupes on data.reference.
 */
async function allowListingApp(options: { enforce?: boolean } = {}): Promise<AllowListingApp> {
  const seen: AllowListingApp['seen'] = [];
  const references = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // Only deliveries count (check's reachability probe is a HEAD).
      if (req.method !== 'POST') return void res.writeHead(405).end();
      const body = Buffer.concat(chunks);
      const client = proxyaddr(req, 'loopback');
      const answer = (status: number) => {
        seen.push({ client, forwardedFor: req.headers['x-forwarded-for'] as string | undefined, status });
        res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
      };
      if (options.enforce !== false && !PAYSTACK_IPS.includes(client)) return answer(403);
      const expected = Buffer.from(createHmac('sha512', PAYSTACK_SECRET).update(body).digest('hex'));
      const given = Buffer.from(String(req.headers['x-paystack-signature'] ?? ''));
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return answer(401);
      const reference = (JSON.parse(body.toString()) as { data?: { reference?: string } }).data?.reference ?? '';
      references.add(reference);
      answer(200);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('IP allow-lists: --from-ip, check --allowlist, and listen as a reverse proxy', () => {
  it('trigger: refused from 127.0.0.1; --from-ip provider uses each of Paystack’s addresses in turn; another address is refused', async () => {
    const allowing = await allowListingApp();
    app = allowing;
    const trigger = (...extra: string[]) => runCli(['trigger', 'charge.success', '-p', 'paystack', '--to', `${allowing.url}/hooks`, '--secret', PAYSTACK_SECRET, '--json', ...extra]);
    expect((await trigger()).code).toBe(1);
    expect(allowing.seen.at(-1)).toMatchObject({ client: '127.0.0.1', forwardedFor: undefined, status: 403 });

    const provider = await trigger('--from-ip', 'provider', '--count', '3');
    expect(provider.code).toBe(0);
    expect(allowing.seen.slice(-3)).toEqual(PAYSTACK_IPS.map((ip) => ({ client: ip, forwardedFor: ip, status: 200 })));

    expect((await trigger('--from-ip', '10.0.0.8')).code).toBe(1);
    expect(allowing.seen.at(-1)).toMatchObject({ client: '10.0.0.8', status: 403 });
  });

  it('replay --from-ip provider passes the allow-list; a bad --from-ip is a usage error before anything is sent', async () => {
    const allowing = await allowListingApp();
    app = allowing;
    const ok = await runCli(['replay', 'fixtures/paystack/charge.success.json', 'fixtures/paystack/refund.processed.json', '--to', `${allowing.url}/hooks`, '--secret', PAYSTACK_SECRET, '--from-ip', 'provider', '--json']);
    expect(ok.code).toBe(0);
    expect(allowing.seen.map((s) => s.client).sort()).toEqual(PAYSTACK_IPS.slice(0, 2).sort());

    const bad = await runCli(['replay', 'fixtures/paystack/charge.success.json', '--to', `${allowing.url}/hooks`, '--secret', PAYSTACK_SECRET, '--from-ip', '52.31.139']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: --from-ip "52\.31\.139" is not an IP address\nhint: pass an IPv4 or IPv6 address/);
    const none = await runCli(['replay', 'fixtures/koard/transaction.created.json', '--to', `${allowing.url}/hooks`, '--secret', KOARD_SECRET, '--from-ip', 'provider']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: --from-ip provider: Koard documents no addresses its deliveries come from\nhint: /);
    expect(allowing.seen).toHaveLength(2);
  });

  it('check --allowlist: an allow-listing handler passes every case, including the delivery from a foreign address', async () => {
    const allowing = await allowListingApp();
    app = allowing;
    const result = await runCli(['check', '--to', `${allowing.url}/hooks`, '-p', 'paystack', '--secret', PAYSTACK_SECRET, '--allowlist', '--json']);
    const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const verdicts = Object.fromEntries(lines.filter((l) => l.type === 'case').map((l) => [l.id, l.passed]));
    expect(verdicts).toMatchObject({ valid: true, 'wrong-signature': true, duplicate: true, 'foreign-address': true });
    expect(Object.values(verdicts).every(Boolean)).toBe(true);
    expect(result.code).toBe(0);
    const foreign = allowing.seen.filter((s) => !PAYSTACK_IPS.includes(s.client));
    expect(foreign).toEqual([{ client: '203.0.113.7', forwardedFor: '203.0.113.7', status: 403 }]);
    // The other cases came from Paystack's addresses, all three of them.
    expect(new Set(allowing.seen.filter((s) => s.status !== 403).map((s) => s.client))).toEqual(new Set(PAYSTACK_IPS));
  });

  it('check --allowlist fails a handler that does not enforce its allow-list; without --allowlist the case does not run', async () => {
    const open = await allowListingApp({ enforce: false });
    app = open;
    const failing = await runCli(['check', '--to', `${open.url}/hooks`, '-p', 'paystack', '--secret', PAYSTACK_SECRET, '--allowlist', '--json']);
    expect(failing.code).toBe(1);
    const foreign = failing.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((l) => l.id === 'foreign-address');
    expect(foreign).toMatchObject({ passed: false, expected: '4xx', got: '200' });
    expect(foreign.explanation).toMatch(/not one of the allowed addresses/);
    const without = await runCli(['check', '--to', `${open.url}/hooks`, '-p', 'paystack', '--secret', PAYSTACK_SECRET, '--json']);
    expect(without.code).toBe(0);
    expect(without.stdout).not.toContain('foreign-address');
    const koardAllow = await runCli(['check', '--to', `${open.url}/hooks`, '-p', 'koard', '--secret', KOARD_SECRET, '--allowlist']);
    expect(koardAllow.code).toBe(2);
    expect(koardAllow.stderr).toMatch(/^error: --allowlist: Koard documents no addresses its deliveries come from\nhint: add --from-ip/);
  });

  it('listen appends the sender’s address to X-Forwarded-For when forwarding, as a reverse proxy does', async () => {
    const allowing = await allowListingApp();
    app = allowing;
    dir = await mkdtemp(path.join(tmpdir(), 'webhook-fidelity-'));
    listen = await startListenCli(['-p', 'paystack', '--secret', PAYSTACK_SECRET, '-f', `${allowing.url}/hooks`, '--store', dir]);
    const body = '{"event":"charge.success","data":{"reference":"ref_xff_1"}}';
    const post = (headers: Record<string, string>) =>
      request(listen!.ready.localUrl, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-paystack-signature': createHmac('sha512', PAYSTACK_SECRET).update(body).digest('hex'), ...headers } }).then(async (r) => {
        await r.body.dump();
        return r.statusCode;
      });
    // Behind a tunnel that already named Paystack: listen adds the hop it saw.
    expect(await post({ 'x-forwarded-for': '52.49.173.169' })).toBe(200);
    expect(allowing.seen.at(-1)).toEqual({ client: '52.49.173.169', forwardedFor: '52.49.173.169, 127.0.0.1', status: 200 });
    // Straight from a local process: the app sees 127.0.0.1 and refuses it.
    expect(await post({})).toBe(403);
    expect(allowing.seen.at(-1)).toEqual({ client: '127.0.0.1', forwardedFor: '127.0.0.1', status: 403 });
    const recorded = await listen.next((e) => e.type === 'delivery');
    expect(recorded.status).toBe(200);
  });

  it('trigger --from-ip into a running listen session is a usage error (listen names the real sender itself)', async () => {
    app = await allowListingApp();
    dir = await mkdtemp(path.join(tmpdir(), 'webhook-fidelity-'));
    listen = await startListenCli(['-p', 'paystack', '--secret', PAYSTACK_SECRET, '-f', `${app.url}/hooks`, '--store', dir]);
    const result = await runCli(['trigger', 'charge.success', '--store', dir, '--from-ip', 'provider']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: --from-ip goes with --to: a running listen session names the real sender in X-Forwarded-For itself\nhint: /);
    expect((app as AllowListingApp).seen).toHaveLength(0);
  });
});
