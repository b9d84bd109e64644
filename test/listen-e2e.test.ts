import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { runCli } from './support/cli.js';
import { startListenCli, type ListenProcess } from './support/listen.js';
import { startStubApp, type StubApp } from './support/stub-app.js';

const SECRET = 'sk_test_listen_e2e';
const API_KEY = 'sk_test_listen_e2e_key';
const sign = (body: string | Buffer, secret = SECRET) => createHmac('sha512', secret).update(body).digest('hex');
const paykoreValid = (body: Buffer, secret: string, header: unknown) => header === `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

let store: string;
let app: StubApp | undefined;
let listen: ListenProcess | undefined;
let sandbox: Sandbox | undefined;

beforeEach(async () => {
  store = await mkdtemp(path.join(tmpdir(), 'webhook-listen-'));
});
afterEach(async () => {
  if (listen && listen.child.exitCode === null && listen.child.signalCode === null) await listen.stop('SIGKILL');
  await app?.close();
  await sandbox?.close();
  await rm(store, { recursive: true, force: true });
  app = listen = sandbox = undefined;
});

async function post(url: string, body: string | Buffer, headers: Record<string, string>) {
  const res = await request(url, { method: 'POST', body, headers });
  return { status: res.statusCode, body: await res.body.text() };
}

describe('webhook listen', () => {
  it('forwards byte-identical bodies with signature headers untouched; the app verifies them; forged ones are flagged', async () => {
    // The app verifies exactly as a correct Paystack handler does: HMAC-SHA512 over the raw bytes.
    app = await startStubApp((r) => ({ status: r.headers['x-paystack-signature'] === sign(r.body) ? 200 : 401, body: '{"received":true}' }));
    listen = await startListenCli(['-p', 'paystack', '--secret', SECRET, '-f', `${app.url}/webhooks/paystack`, '--store', store]);
    expect(listen.ready).toMatchObject({ type: 'ready', publicUrl: null, endpointId: null, provider: 'paystack' });
    const body = '{\n  "event": "charge.success",\n  "data": { "amount": 12345678901234567890, "note": "caf\\u00e9" }\n}\n';
    const good = await post(`${listen.ready.localUrl}/extra?x=1`, body, { 'content-type': 'application/json', 'x-paystack-signature': sign(body), 'x-custom': 'kept' });
    expect(good).toEqual({ status: 200, body: '{"received":true}' });
    const received = app.received[0]!;
    expect(received.body.toString()).toBe(body);
    expect(received.url).toBe('/webhooks/paystack/extra?x=1');
    expect(received.headers['x-paystack-signature']).toBe(sign(body));
    expect(received.headers['x-custom']).toBe('kept');
    const line = await listen.next((e) => e.type === 'delivery');
    expect(line).toMatchObject({ event: 'charge.success', signature: 'verified', status: 200, answered: 200 });

    const forged = await post(listen.ready.localUrl, body, { 'content-type': 'application/json', 'x-paystack-signature': sign(body, 'sk_test_wrong') });
    expect(forged.status).toBe(401); // the app's own answer, relayed
    const flagged = await listen.next((e) => e.type === 'delivery' && e.signature === 'failed');
    expect(flagged.reason).toBe('no matching signature');
    expect(await listen.stop('SIGINT')).toBe(130);

    const shown = await runCli(['log', 'show', flagged.id, '--store', store, '--json']);
    expect(JSON.parse(shown.stdout).request).toMatchObject({ signature: { state: 'failed', reason: 'no matching signature' }, body });
    const raw = await runCli(['log', 'show', line.id, '--store', store, '--raw']);
    expect(raw.stdout).toBe(body);
  });

  it('answers 502 when the app is down and 504 when it is slower than the timeout, logging both', async () => {
    app = await startStubApp(() => new Promise((resolve) => setTimeout(() => resolve({ status: 200 }), 1500)));
    const down = 'http://127.0.0.1:9/hooks';
    listen = await startListenCli(['-p', 'paystack', '--secret', SECRET, '-f', down, '--route', `slow.*=${app.url}/slow`, '--timeout', '200', '--store', store]);
    const body = '{"event":"charge.success"}';
    expect((await post(listen.ready.localUrl, body, { 'x-paystack-signature': sign(body) })).status).toBe(502);
    const refused = await listen.next((e) => e.type === 'delivery');
    expect(refused).toMatchObject({ answered: 502, status: null });
    expect(refused.error).toMatch(/nothing is listening/);
    const slow = '{"event":"slow.thing"}';
    expect((await post(listen.ready.localUrl, slow, { 'x-paystack-signature': sign(slow) })).status).toBe(504);
    expect(await listen.next((e) => e.type === 'delivery' && e.event === 'slow.thing')).toMatchObject({ answered: 504, target: `${app.url}/slow` });
    const log = await runCli(['log', '--store', store, '--json']);
    expect(log.stdout.trim().split('\n').map((l) => JSON.parse(l).answered)).toEqual([502, 504]);
  });

  it('registers with the PayKore sandbox through a tunnel, verifies with the returned secret, and deletes the endpoint on SIGINT and SIGTERM', async () => {
    sandbox = await startSandbox({}, { clock: systemClock });
    const secrets: string[] = [];
    app = await startStubApp(() => ({ status: 200 }));
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      listen = await startListenCli(['-p', 'paykore', '-f', `${app.url}/hooks`, '--api-base', sandbox.url, '--tunnel', 'loopback', '--store', store, '--print-secret'], { PAYKORE_API_KEY: API_KEY });
      expect(listen.ready.endpointId).toMatch(/^wh_/);
      expect(listen.ready.publicUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      secrets.push(listen.ready.secret);
      const endpoints = await request(`${sandbox.url}/v1/webhooks`, { headers: { 'x-api-key': API_KEY } }).then((r) => r.body.json() as Promise<{ data: { id: string; url: string }[] }>);
      expect(endpoints.data).toEqual([expect.objectContaining({ id: listen.ready.endpointId, url: `${listen.ready.publicUrl}/` })]);

      // The sandbox delivers through the tunnel; listen verifies with the registered secret.
      await request(`${sandbox.url}/v1/events`, { method: 'POST', headers: { 'x-api-key': API_KEY }, body: '{"event":"transaction.completed"}' }).then((r) => r.body.dump());
      expect(await listen.next((e) => e.type === 'delivery')).toMatchObject({ event: 'transaction.completed', signature: 'verified', status: 200 });

      // `webhook trigger` without --to goes into the session and is signed with that secret.
      const triggered = await runCli(['trigger', 'kyc.verified', '--store', store, '--json']);
      expect(triggered.code).toBe(0);
      expect(JSON.parse(triggered.stdout)).toMatchObject({ event: 'kyc.verified', provider: 'paykore', status: 200, ok: true });
      const last = app.received.at(-1)!;
      expect(paykoreValid(last.body, listen.ready.secret, last.headers['x-paykore-signature'])).toBe(true);

      expect(await listen.stop(signal)).toBe(130);
      const after = await request(`${sandbox.url}/v1/webhooks`, { headers: { 'x-api-key': API_KEY } }).then((r) => r.body.json() as Promise<{ data: unknown[] }>);
      expect(after.data).toEqual([]);
    }
    expect(new Set(secrets).size).toBe(2);
  });

  it('keeps every answered delivery of a burst of 1,000 when killed with SIGKILL, and appends after a restart', async () => {
    app = await startStubApp(() => ({ status: 200 }));
    listen = await startListenCli(['-p', 'paystack', '--secret', SECRET, '-f', app.url, '--store', store]);
    const body = '{"event":"charge.success","data":{"amount":100}}';
    const headers = { 'x-paystack-signature': sign(body) };
    let answered = 0;
    const sends: Promise<unknown>[] = [];
    let killed = false;
    for (let i = 0; i < 1000; i++) {
      sends.push(
        post(listen.ready.localUrl, body, headers).then(
          () => {
            answered++;
            if (answered === 500 && !killed) {
              killed = true;
              listen!.child.kill('SIGKILL');
            }
          },
          () => {},
        ),
      );
      if (i % 50 === 49) await Promise.all(sends.slice(-50));
    }
    await Promise.all(sends);
    await new Promise((resolve) => (listen!.child.exitCode === null && listen!.child.signalCode === null ? listen!.child.once('exit', resolve) : resolve(null)));
    const log = await runCli(['log', '--store', store, '--limit', '5000', '--json']);
    const lines = log.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.answered === 200).length).toBeGreaterThanOrEqual(answered);
    listen = await startListenCli(['-p', 'paystack', '--secret', SECRET, '-f', app.url, '--store', store]);
    await post(listen.ready.localUrl, body, headers);
    await listen.next((e) => e.type === 'delivery');
    await listen.stop();
    const after = await runCli(['log', '--store', store, '--limit', '5000', '--json']);
    expect(after.stdout.trim().split('\n').length).toBe(lines.length + 1);
  });

  it('rejects bad flags and URLs with one line and exit 2', async () => {
    for (const args of [
      ['-p', 'paystack', '-f', 'localhost:3000'],
      ['-p', 'paystack'],
      ['-p', 'paystack', '-f', 'http://127.0.0.1:3000', '--tunnel', 'wormhole'],
      ['-p', 'paystack', '-f', 'http://127.0.0.1:3000', '--route', 'nourl'],
      ['-p', 'nope', '-f', 'http://127.0.0.1:3000'],
    ]) {
      const result = await runCli(['listen', ...args, '--store', store]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/^error: .+\n(hint: .+\n)?$/);
    }
  });
});

describe('webhook listen --route', () => {
  it('sends each event to the app its route names, the rest to --forward-to, and logs where each went', async () => {
    const payments = await startStubApp(() => ({ status: 200 }));
    const transfers = await startStubApp(() => ({ status: 202 }));
    app = await startStubApp(() => ({ status: 200 }));
    try {
      listen = await startListenCli(['-p', 'paystack', '--secret', SECRET, '-f', `${app.url}/default`, '--route', `charge.*=${payments.url}/payments`, '--route', `transfer.*=${transfers.url}/t`, '--store', store]);
      for (const event of ['charge.success', 'transfer.success', 'refund.processed']) {
        const body = JSON.stringify({ event, data: {} });
        await post(listen.ready.localUrl, body, { 'x-paystack-signature': sign(body) });
      }
      expect(payments.received.map((r) => r.url)).toEqual(['/payments']);
      expect(transfers.received.map((r) => r.url)).toEqual(['/t']);
      expect(app.received.map((r) => r.url)).toEqual(['/default']);
      await listen.next((e) => e.type === 'delivery' && e.event === 'refund.processed');
      const targets = Object.fromEntries(listen.events.filter((e) => e.type === 'delivery').map((e) => [e.event, [e.target, e.status]]));
      expect(targets).toEqual({
        'charge.success': [`${payments.url}/payments`, 200],
        'transfer.success': [`${transfers.url}/t`, 202],
        'refund.processed': [`${app.url}/default`, 200],
      });
    } finally {
      await payments.close();
      await transfers.close();
    }
  });
});

describe('endpoint lifecycle', () => {
  it('after a kill -9, webhook endpoints shows the stale endpoint and the next listen prunes it', async () => {
    sandbox = await startSandbox({}, { clock: systemClock });
    app = await startStubApp(() => ({ status: 200 }));
    const args = ['-p', 'paykore', '-f', app.url, '--api-base', sandbox.url, '--store', store];
    const env = { PAYKORE_API_KEY: API_KEY };
    const remote = async () => (await request(`${sandbox!.url}/v1/webhooks`, { headers: { 'x-api-key': API_KEY } }).then((r) => r.body.json() as Promise<{ data: { id: string }[] }>)).data.map((e) => e.id);
    listen = await startListenCli(args, env);
    const crashed = listen.ready.endpointId as string;
    listen.child.kill('SIGKILL');
    await new Promise((resolve) => listen!.child.once('exit', resolve));
    expect(await remote()).toEqual([crashed]);

    const listed = await runCli(['endpoints', '--api-base', sandbox.url, '--store', store, '--json'], { env });
    expect(JSON.parse(listed.stdout)).toMatchObject({ id: crashed, state: 'stale' });

    listen = await startListenCli(args, env);
    expect(listen.events.find((e) => e.type === 'registration' && e.state === 'pruned')).toMatchObject({ endpointId: crashed });
    expect(await remote()).toEqual([listen.ready.endpointId]);
    const live = await runCli(['endpoints', '--api-base', sandbox.url, '--store', store], { env });
    expect(live.stdout).toMatch(new RegExp(`${listen.ready.endpointId} .* live \\(listen pid \\d+\\)`));
    listen.child.kill('SIGKILL');
    await new Promise((resolve) => listen!.child.once('exit', resolve));
    const pruned = await runCli(['endpoints', 'prune', '--api-base', sandbox.url, '--store', store], { env });
    expect(pruned.code).toBe(0);
    expect(await remote()).toEqual([]);
  });
});

describe('listen never fails silently', () => {
  it('notices a dead tunnel through its self-check, reopens it and moves the registration to the new URL', async () => {
    sandbox = await startSandbox({}, { clock: systemClock });
    app = await startStubApp(() => ({ status: 200 }));
    listen = await startListenCli(['-p', 'paykore', '-f', app.url, '--api-base', sandbox.url, '--tunnel', 'loopback', '--self-check-interval', '100', '--store', store], { PAYKORE_API_KEY: API_KEY });
    const first = { id: listen.ready.endpointId, url: listen.ready.publicUrl };
    process.kill(listen.ready.tunnel.pid, 'SIGKILL'); // the tunnel process dies
    expect(await listen.next((e) => e.type === 'tunnel' && e.state === 'reconnecting')).toBeDefined();
    const updated = await listen.next((e) => e.type === 'registration' && e.state === 'updated');
    expect(updated.endpointId).toBe(first.id); // moved with PATCH: the same endpoint and secret
    expect(updated.url).not.toBe(first.url);
    await listen.next((e) => e.type === 'tunnel' && e.state === 'up');
    const endpoints = await request(`${sandbox.url}/v1/webhooks`, { headers: { 'x-api-key': API_KEY } }).then((r) => r.body.json() as Promise<{ data: { id: string; url: string }[] }>);
    expect(endpoints.data).toEqual([expect.objectContaining({ id: updated.endpointId, url: `${updated.url}/` })]);
    // Deliveries keep arriving, verified with the endpoint's (unchanged) secret.
    await request(`${sandbox.url}/v1/events`, { method: 'POST', headers: { 'x-api-key': API_KEY }, body: '{"event":"transfer.completed"}' }).then((r) => r.body.dump());
    expect(await listen.next((e) => e.type === 'delivery')).toMatchObject({ event: 'transfer.completed', signature: 'verified', status: 200 });
    expect(await listen.stop()).toBe(130);
  });

  it('exits non-zero with the reason when the public URL stays unreachable past --give-up-after', async () => {
    app = await startStubApp(() => ({ status: 200 }));
    // The user's own tunnel: a relay the test controls, pointed at listen once it is up.
    // A self-check can reach the relay before the test has read the ready line: it waits for the target.
    let setTarget!: (url: string) => void;
    const target = new Promise<string>((resolve) => (setTarget = resolve));
    const relay = await startStubApp(async (r) => {
      try {
        const res = await request(`${await target}${r.url}`, { method: 'POST', body: r.body, headers: r.headers as Record<string, string> });
        await res.body.dump();
        return { status: res.statusCode };
      } catch {
        return { status: 502 }; // listen already gone
      }
    });
    listen = await startListenCli(['-p', 'paystack', '--secret', SECRET, '-f', app.url, '--public-url', relay.url, '--self-check-interval', '100', '--give-up-after', '600', '--store', store]);
    setTarget(listen.ready.localUrl);
    await relay.close(); // the tunnel goes away for good
    expect(await listen.next((e) => e.type === 'tunnel' && e.state === 'reconnecting')).toMatchObject({ reason: expect.stringMatching(/self-check through http:\/\/127\.0\.0\.1:\d+ failed/) });
    expect(await listen.next((e) => e.type === 'tunnel' && e.state === 'down')).toBeDefined();
    const code = await new Promise((resolve) => (listen!.child.exitCode !== null ? resolve(listen!.child.exitCode) : listen!.child.once('exit', resolve)));
    expect(code).toBe(1);
    expect(listen.stderr()).toMatch(/^error: listen stopped: self-check through .* gave up after \d+ s\nhint: /m);
  });
});

describe('listen --catch-up', () => {
  it('keeps the endpoint while listen is down and has the sandbox retry what failed, marked as catch-up', async () => {
    // The whole PayKore schedule in about 1.2 s, so both deliveries are abandoned before listen returns.
    let abandoned = 0;
    let allAbandoned!: () => void;
    const bothAbandoned = new Promise<void>((resolve) => (allAbandoned = resolve));
    sandbox = await startSandbox({ timeScale: 0.00001 }, { clock: systemClock, onAttempt: ({ delivery }) => delivery.state === 'abandoned' && ++abandoned === 2 && allAbandoned() });
    app = await startStubApp(() => ({ status: 200 }));
    const args = ['-p', 'paykore', '-f', app.url, '--api-base', sandbox.url, '--catch-up', '--store', store];
    const env = { PAYKORE_API_KEY: API_KEY };
    listen = await startListenCli(args, env);
    const endpointId = listen.ready.endpointId;
    expect(await listen.stop('SIGINT')).toBe(130);
    expect(listen.events.find((e) => e.type === 'registration' && e.state === 'kept')).toBeDefined();

    // While listen is down, two events fail to arrive (nothing listens at the old URL).
    for (const event of ['transaction.completed', 'kyc.failed']) {
      await request(`${sandbox.url}/v1/events`, { method: 'POST', headers: { 'x-api-key': API_KEY }, body: JSON.stringify({ event }) }).then((r) => r.body.dump());
    }
    await bothAbandoned;
    const failed = async () => (await request(`${sandbox!.url}/v1/webhooks/${endpointId}/deliveries`, { headers: { 'x-api-key': API_KEY } }).then((r) => r.body.json() as Promise<{ data: { state: string }[] }>)).data;
    expect((await failed()).map((d) => d.state)).toEqual(['abandoned', 'abandoned']);

    listen = await startListenCli(args, env);
    expect(listen.ready.endpointId).toBe(endpointId);
    expect(listen.events.find((e) => e.type === 'registration' && e.state === 'adopted')).toMatchObject({ endpointId, url: listen.ready.localUrl });
    const first = await listen.next((e) => e.type === 'delivery');
    const second = await listen.next((e) => e.type === 'delivery');
    expect([first.event, second.event].sort()).toEqual(['kyc.failed', 'transaction.completed']);
    for (const d of [first, second]) expect(d).toMatchObject({ signature: 'verified', source: 'catch-up', status: 200 });
    expect((await failed()).map((d) => d.state)).toEqual(['succeeded', 'succeeded']);
    await listen.stop();
  });
});
