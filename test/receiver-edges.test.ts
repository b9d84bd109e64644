import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Webhook } from 'svix';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { matchesPattern } from '../src/listen/receiver.js';
import { standardWebhooksScheme } from '../src/signing/standard.js';
import { startListenCli, type ListenProcess } from './support/listen.js';
import { startStubApp, type StubApp } from './support/stub-app.js';

const SECRET = 'sk_test_edges';
const sign = (body: string) => createHmac('sha512', SECRET).update(body).digest('hex');

/** Send raw bytes, resolve with everything the server wrote until it closed (or `until` matched). */
function raw(url: string, text: string, until?: RegExp): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let got = '';
    const socket = connect(Number(port), hostname, () => socket.write(text));
    socket.setEncoding('latin1').on('data', (d: string) => {
      got += d;
      if (until?.test(got)) socket.destroy();
    });
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
  });
}

describe('event patterns (--events, --route)', () => {
  it('match * as any run of characters and nothing else as a wildcard', () => {
    const cases: [string, string, boolean][] = [
      ['charge.*', 'charge.success', true],
      ['charge.*', 'charge.', true],
      ['charge.*', 'refund.processed', false],
      ['*.success', 'transfer.success', true],
      ['*.*.success', 'a.b.success', true],
      ['*.*.success', 'a.success', false],
      ['*', '', true],
      ['a*b*c', 'aXbYc', true],
      ['a*b*c', 'aXbY', false],
      ['charge.success', 'chargeXsuccess', false], // "." is not a wildcard
      ['c?arge', 'charge', false], // nor is "?"
      ['*', 'anything at all', true],
    ];
    for (const [pattern, event, expected] of cases) expect([pattern, event, matchesPattern(pattern, event)]).toEqual([pattern, event, expected]);
  });
});

describe('listen with hostile requests', () => {
  let store: string;
  let app: StubApp;
  let listen: ListenProcess | undefined;
  beforeEach(async () => {
    store = await mkdtemp(path.join(tmpdir(), 'webhook-edges-'));
    app = await startStubApp();
  });
  afterEach(async () => {
    await listen?.stop();
    listen = undefined;
    await app.close();
    await rm(store, { recursive: true, force: true });
  });
  const start = (extra: string[] = []) =>
    startListenCli(['-p', 'paystack', '-f', app.url, '--tunnel', 'none', '--store', store, '--self-check-interval', '0', ...extra], { PAYSTACK_SECRET_KEY: SECRET });

  it('a 400,000-character event name does not stall --events matching: the next delivery is answered', async () => {
    listen = await start(['--events', '*.*.success']);
    const hostile = JSON.stringify({ event: '.'.repeat(400_000), data: {} });
    const url = listen.ready.localUrl as string;
    const first = await fetch(url, { method: 'POST', body: hostile, headers: { 'x-paystack-signature': sign(hostile) } });
    expect(first.status).toBe(200); // answered, not forwarded
    expect((await listen.next((e) => e.type === 'delivery')).skipped).toMatch(/is not in --events/);
    const body = JSON.stringify({ event: 'transfer.x.success', data: { id: 1 } });
    const next = await fetch(url, { method: 'POST', body, headers: { 'x-paystack-signature': sign(body) } });
    expect(next.status).toBe(200);
    expect(app.received).toHaveLength(1);
  });

  it('answers a body cut off by the request timeout 408, as the log records it', async () => {
    listen = await start(['--timeout', '100']);
    const answer = await raw(listen.ready.localUrl as string, 'POST /slow HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n{"event":', /\r\n\r\n/);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    const logged = await listen.next((e) => e.type === 'delivery');
    expect(logged.answered).toBe(408);
  });

  it('records an outcome for a request target that is not a path', async () => {
    listen = await start();
    const answer = await raw(listen.ready.localUrl as string, 'POST http://[ HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}', /\r\n\r\n[\s\S]*\n/);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    const logged = await listen.next((e) => e.type === 'delivery');
    expect(logged.answered).toBe(400);
    expect(logged.skipped).toMatch(/not a valid path/);
    expect(app.received).toHaveLength(0);
  });
});

describe('Standard Webhooks signatures on several header lines', () => {
  // Two `svix-signature` lines (a proxy, or key rotation sent as two headers) arrive joined by
  // ", " in Node, or as a list; the official library accepts the valid one in either place.
  const secret = `whsec_${Buffer.from('a-32-byte-secret-for-the-tests!!').toString('base64')}`;
  const scheme = standardWebhooksScheme('svix');
  const body = Buffer.from('{"type":"transaction.created"}');
  const now = 1_800_000_000;
  const valid = scheme.sign({ body, secret, id: 'msg_1', timestamp: now })['svix-signature']!;
  const other = `v1,${Buffer.alloc(32, 7).toString('base64')}`;

  for (const [name, value] of [
    ['valid first, joined by ", "', `${valid}, ${other}`],
    ['valid last, joined by ", "', `${other}, ${valid}`],
    ['valid first, as a list', [valid, other]],
    ['valid last, as a list', [other, valid]],
  ] as const) {
    it(`accepts ${name}, as the svix library does`, () => {
      const headers = { 'svix-id': 'msg_1', 'svix-timestamp': String(now), 'svix-signature': value };
      const official = (() => {
        const wh = new Webhook(secret);
        // The library checks the timestamp against the real clock: give it one that is now.
        const t = Math.floor(Date.now() / 1000);
        const signed = scheme.sign({ body, secret, id: 'msg_1', timestamp: t })['svix-signature']!;
        const line = typeof value === 'string' ? value.replace(valid, signed) : value.map((v) => (v === valid ? signed : v)).join(' ');
        try {
          wh.verify(body.toString(), { 'svix-id': 'msg_1', 'svix-timestamp': String(t), 'svix-signature': line });
          return true;
        } catch {
          return false;
        }
      })();
      expect(official).toBe(true);
      expect(scheme.verify({ body, secret, headers, now })).toEqual({ ok: true });
    });
  }
});
