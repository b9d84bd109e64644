import { createHmac } from 'node:crypto';
import { readdir, readFile, mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import { Agent, request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { startSandbox } from '../src/sandbox/server.js';
import { runCli } from './support/cli.js';
import { startListenCli, type ListenProcess } from './support/listen.js';
import { startStubApp, type StubApp } from './support/stub-app.js';
import type { JsonRecord } from './support/json.js';

const SECRET = 'sk_test_reliability_secret_value';
const sign = (body: string) => createHmac('sha512', SECRET).update(body).digest('hex');
let dir: string;
let app: StubApp | undefined;
let listen: ListenProcess | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-reliability-'));
});
afterEach(async () => {
  if (listen && listen.child.exitCode === null && listen.child.signalCode === null) await listen.stop('SIGKILL');
  await app?.close();
  await rm(dir, { recursive: true, force: true });
  app = listen = undefined;
});

async function logLines(store: string) {
  const result = await runCli(['log', '--store', store, '--limit', '100000', '--json']);
  return result.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as JsonRecord);
}

/** Send raw bytes over a socket and resolve with whatever comes back (or '' when closed). */
function rawRequest(url: string, bytes: string | Buffer, options: { endAfterWrite?: boolean } = {}): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(bytes);
      if (options.endAfterWrite) socket.end();
    });
    let answer = '';
    socket.on('data', (d) => (answer += d));
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(answer));
  });
}

describe('listen under load and faults', () => {
  it('records every one of 10,000 deliveries at concurrency 64 with the right outcome while the app fails 20% and hangs 5%', async () => {
    app = await startStubApp((r) => {
      const n = (JSON.parse(r.body.toString()) as { data: { n: number } }).data.n;
      if (n % 20 === 0) return new Promise(() => {}); // hangs past the timeout: 5%
      if (n % 5 === 1) return { status: 500, body: 'boom' }; // 20%
      return { status: 200, body: '{"ok":true}' };
    });
    // The hung 5% time out after 2 s: long enough that no answered request comes near it on a
    // loaded machine, and sent on their own connections (250 at a time) so they cost ~2 waves.
    listen = await startListenCli(['-p', 'paystack', '--secret', SECRET, '-f', app.url, '--timeout', '2000', '--max-connections', '1024', '--store', dir]);
    const send = (dispatcher: Agent, limit: ReturnType<typeof pLimit>, n: number) =>
      limit(async () => {
        const body = JSON.stringify({ event: 'charge.success', data: { n } });
        const res = await request(listen!.ready.localUrl, { method: 'POST', body, headers: { 'x-paystack-signature': sign(body) }, dispatcher });
        await res.body.dump();
        return res.statusCode;
      });
    const answering = { dispatcher: new Agent({ connections: 64 }), limit: pLimit(64) };
    const hanging = { dispatcher: new Agent({ connections: 250 }), limit: pLimit(250) };
    const answers = await Promise.all(Array.from({ length: 10_000 }, (_, n) => (n % 20 === 0 ? send(hanging.dispatcher, hanging.limit, n) : send(answering.dispatcher, answering.limit, n))));
    await Promise.all([answering.dispatcher.close(), hanging.dispatcher.close()]);
    const expected = { 200: 7500, 500: 2000, 504: 500 };
    const tally = (codes: number[]) => {
      const counts: Record<number, number> = {};
      for (const c of codes) counts[c] = (counts[c] ?? 0) + 1;
      return counts;
    };
    expect(tally(answers)).toEqual(expected);
    expect(await listen.stop()).toBe(130);
    const lines = await logLines(dir);
    expect(lines).toHaveLength(10_000);
    expect(new Set(lines.map((l) => l.id)).size).toBe(10_000);
    expect(tally(lines.map((l) => l.answered))).toEqual(expected);
    expect(lines.every((l) => l.signature === 'verified')).toBe(true);
    expect(lines.filter((l) => l.answered === 504).every((l) => /did not answer within 2000 ms/.test(l.error))).toBe(true);
  }, 60_000);

  it('keeps serving through garbage, empty, oversized, mislabelled, slow, malformed and injected requests, logging each with a reason', async () => {
    app = await startStubApp(() => ({ status: 200, body: '{"ok":true}' }));
    listen = await startListenCli(['-p', 'paystack', '--secret', SECRET, '-f', app.url, '--max-body', '2048', '--timeout', '200', '--store', dir]);
    const url = listen.ready.localUrl;
    const post = async (body: string | Buffer, headers: Record<string, string> = {}) => {
      const res = await request(url, { method: 'POST', body, headers });
      await res.body.dump();
      return res.statusCode;
    };
    expect(await post(Buffer.from([0xff, 0x00, 0xfe, 0x13, 0x37]), { 'x-paystack-signature': 'zz' })).toBe(200); // forwarded, flagged
    expect(await post('')).toBe(200);
    expect(await post('x'.repeat(10_000), { 'x-paystack-signature': sign('x') })).toBe(413);
    expect(await post('{"event":"charge.success"}', { 'content-type': 'text/plain', 'x-paystack-signature': sign('{"event":"charge.success"}') })).toBe(200);
    expect(await post('{"event":"charge.success"}', { 'x-paystack-signature': 'sha512=,,,;;;' })).toBe(200);

    // Slowloris: headers, then a body that never finishes; cut off by the request timeout.
    const slow = rawRequest(url, `POST /slow HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\nx-paystack-signature: ${'a'.repeat(128)}\r\n\r\n{"event":`);
    // Header injection and a broken request line: rejected by the HTTP parser, logged as a warning.
    const injected = await rawRequest(url, 'POST / HTTP/1.1\r\nhost: x\r\nx-evil: a\nb: c\r\ncontent-length: 2\r\n\r\n{}');
    const garbage = await rawRequest(url, '\u0000\u0001 NOT HTTP AT ALL\r\n\r\n', { endAfterWrite: true });
    expect(`${injected}${garbage}`).toMatch(/400 Bad Request/);
    // Still serving while the slow request hangs.
    expect(await post('{"event":"charge.success"}', { 'x-paystack-signature': sign('{"event":"charge.success"}') })).toBe(200);
    expect(await slow).toMatch(/^(HTTP\/1\.1 408|)/);

    await listen.next((e) => e.type === 'delivery' && e.answered === 408);
    const warnings = listen.events.filter((e) => e.type === 'warning');
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings[0]!.message).toMatch(/malformed HTTP request/);
    expect(await listen.stop()).toBe(130);

    const lines = await logLines(dir);
    const byAnswer = (code: number) => lines.filter((l) => l.answered === code);
    expect(byAnswer(413)[0]!.skipped).toMatch(/over the 2048-byte cap/);
    expect(byAnswer(408)[0]!.skipped).toMatch(/did not finish the body/);
    expect(lines.filter((l) => l.signature === 'failed').map((l) => l.reason)).toEqual(['malformed header', 'missing header', 'malformed header']);
    expect(lines.filter((l) => l.signature === 'verified')).toHaveLength(2);
  }, 30_000);
});

describe('bad input to the CLI', () => {
  it('answers every bad flag, config, fixture, secret and URL with one error line, a hint, exit 2 and no stack trace', async () => {
    const badConfig = path.join(dir, 'bad');
    await mkdir(badConfig);
    await writeFile(path.join(badConfig, 'webhook.config.json'), '{"provider": 42, "forwardTo": "ftp://x"}');
    const brokenJson = path.join(dir, 'broken');
    await mkdir(path.join(brokenJson, 'paystack'), { recursive: true });
    await writeFile(path.join(brokenJson, 'paystack', 'charge.success.json'), '{"event": "charge.success",\n  "data": {,}}');
    const cases: { args: string[]; cwd?: string; env?: Record<string, string> }[] = [
      { args: ['nonsense'] },
      { args: ['trigger'] },
      { args: ['trigger', 'charge.success', '--count', 'many'] },
      { args: ['trigger', 'charge.succes', '-p', 'paystack', '--to', 'http://127.0.0.1:9', '--secret', SECRET] },
      { args: ['trigger', 'charge.success', '-p', 'paystack', '--to', 'not a url', '--secret', SECRET] },
      { args: ['trigger', 'charge.success', '-p', 'koard', '--to', 'http://127.0.0.1:9', '--secret', 'not-a-whsec'] },
      { args: ['trigger', 'charge.success', '-p', 'paystack', '--to', 'http://127.0.0.1:9'] },
      { args: ['trigger', 'charge.success', '-p', 'paystack', '--secret', SECRET, '--fixtures', brokenJson, '--to', 'http://127.0.0.1:9'] },
      { args: ['replay', path.join(dir, 'missing'), '--to', 'http://127.0.0.1:9'] },
      { args: ['replay', 'fixtures/paystack', '--to', 'http://127.0.0.1:9', '--secret', SECRET] },
      { args: ['sign', '-p', 'paystack'], env: { PAYSTACK_SECRET_KEY: SECRET } },
      { args: ['sign', '-p', 'paystack', '--body-file', path.join(dir, 'nope.json'), '--secret', SECRET] },
      { args: ['verify', '-p', 'stripe', '--body', '{}', '-H', 'no colon here', '--secret', 'whsec_x'] },
      { args: ['providers'], cwd: badConfig },
      { args: ['listen', '-p', 'paystack', '-f', 'http://127.0.0.1:3000', '--port', '-1'] },
      { args: ['listen', '-p', 'paystack', '-f', 'http://127.0.0.1:3000', '--public-url', 'nope'] },
      { args: ['sandbox', '--time-scale', '0'] },
      { args: ['check', '--to', 'http://127.0.0.1:9', '-p', 'paystack', '--secret', SECRET] },
      { args: ['check', '--to', 'http://127.0.0.1:9', '-p', 'paystack'] },
      { args: ['log', 'show', 'no-such-id', '--store', dir] },
      { args: ['resend', 'no-such-id', '--store', dir] },
      { args: ['completion', 'powershell'] },
      { args: ['init', '--provider', 'nope'], cwd: dir },
      { args: ['fixtures', 'show', 'nope.event', '-p', 'paystack'] },
    ];
    for (const c of cases) {
      const result = await runCli(c.args, { ...(c.cwd ? { cwd: c.cwd } : {}), ...(c.env ? { env: c.env } : {}) });
      const label = c.args.join(' ');
      expect(result.code, label).toBe(2);
      expect(result.stderr, label).toMatch(/^error: .+\n/);
      expect(result.stderr, label).not.toMatch(/\n\s+at .+:\d+:\d+/);
      expect(result.stderr.split('\n').filter(Boolean).length, `${label}\n${result.stderr}`).toBeLessThanOrEqual(3);
    }
  }, 60_000);
});

describe('secrets', () => {
  it('never appear in listen output, the log, the session file, trigger or sandbox output unless asked', async () => {
    const sandbox = await startSandbox({}, { clock: systemClock });
    app = await startStubApp(() => ({ status: 200 }));
    const apiKey = 'sk_test_reliability_api_key';
    try {
      listen = await startListenCli(['-p', 'paykore', '-f', app.url, '--api-base', sandbox.url, '--store', dir], { PAYKORE_API_KEY: apiKey });
      const triggered = await runCli(['trigger', 'transaction.completed', '--store', dir, '--json']);
      expect(triggered.code).toBe(0);
      await listen.next((e) => e.type === 'delivery');
      const registered = listen.ready.secret as string | undefined;
      expect(registered).toBeUndefined(); // not shown without --print-secret
      const files = await readdir(dir);
      const stored = (await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8')))).join('\n');
      const everything = [JSON.stringify(listen.events), listen.stderr(), triggered.stdout, triggered.stderr, stored].join('\n');
      expect(everything).not.toContain(apiKey);
      expect(everything).not.toMatch(/whsec_[A-Za-z0-9+/=]{20,}/);
      await listen.stop();
      const shown = await startListenCli(['-p', 'paykore', '-f', app.url, '--api-base', sandbox.url, '--store', dir, '--print-secret'], { PAYKORE_API_KEY: apiKey });
      expect(shown.ready.secret).toMatch(/^whsec_/);
      await shown.stop();
      const signed = await runCli(['sign', '-p', 'paystack', '--body', '{}', '--secret', SECRET, '--json']);
      expect(signed.stdout).not.toContain(SECRET);
    } finally {
      await sandbox.close();
    }
  });
});

describe('replay at high concurrency', () => {
  it('prints no runtime warnings (one abort signal shared by many requests)', async () => {
    app = await startStubApp(() => ({ status: 200 }));
    const result = await runCli(['replay', 'fixtures/paystack', '--to', app.url, '--secret', SECRET, '--concurrency', '32']);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/Warning/);
  });
});
