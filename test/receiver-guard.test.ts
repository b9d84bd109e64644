import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startListenCli, type ListenProcess } from './support/listen.js';
import { startStubApp, type StubApp } from './support/stub-app.js';
import type { JsonRecord } from './support/json.js';

// The public receiver is on the internet behind the tunnel: what an attacker or a careless
// client sends must not exhaust memory, reach the app unchecked, or learn where the app lives.
const SECRET = 'sk_test_guard';
const sign = (body: string) => createHmac('sha512', SECRET).update(body).digest('hex');
const MIB = 1024 * 1024;

let store: string;
let app: StubApp;
let listen: ListenProcess | undefined;
const sockets: Socket[] = [];

beforeEach(async () => {
  store = await mkdtemp(path.join(tmpdir(), 'webhook-guard-'));
  app = await startStubApp();
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await listen?.stop();
  listen = undefined;
  await app.close();
  await rm(store, { recursive: true, force: true });
});

const start = (extra: string[] = [], forwardTo = `${app.url}/hooks`) =>
  startListenCli(['-p', 'paystack', '-f', forwardTo, '--tunnel', 'none', '--store', store, '--self-check-interval', '0', ...extra], { PAYSTACK_SECRET_KEY: SECRET });

/** A raw HTTP/1.1 exchange, so the test controls exactly what is sent and when. */
function rawSocket(url: string): Promise<Socket & { text: () => string; waitFor: (pattern: RegExp) => Promise<string> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      let text = '';
      const waiters: { pattern: RegExp; resolve: (t: string) => void }[] = [];
      socket.setEncoding('latin1').on('data', (d: string) => {
        text += d;
        for (const w of [...waiters]) if (w.pattern.test(text)) waiters.splice(waiters.indexOf(w), 1) && w.resolve(text);
      });
      socket.on('error', () => {}); // the server may close a refused connection while we write
      const s = Object.assign(socket, {
        text: () => text,
        waitFor: (pattern: RegExp) => new Promise<string>((r) => (pattern.test(text) ? r(text) : waiters.push({ pattern, resolve: r }))),
      });
      sockets.push(s);
      resolve(s);
    });
    socket.once('error', reject);
  });
}

const validBody = (n = 1) => JSON.stringify({ event: 'charge.success', data: { id: n, reference: `ref_${n}`, amount: 5000 } });

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-paystack-signature': sign(body), ...headers } });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function rssMiB(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then((s) => Number(/VmRSS:\s+(\d+) kB/.exec(s)?.[1]) / 1024);
}

describe('listen under a flood', () => {
  it('holds a memory budget: stalled 1 MiB bodies beyond it get 503 + Retry-After, RSS stays bounded, incomplete bodies are logged as excerpts, valid deliveries go through after', async () => {
    listen = await start();
    const url = listen.ready.localUrl as string;
    const flood = 120;
    // Each sends a 1 MiB body minus its last byte, then stalls.
    const clients = await Promise.all(
      Array.from({ length: flood }, async () => {
        const s = await rawSocket(url);
        s.write(`POST /hooks HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${MIB}\r\n\r\n`);
        s.write(Buffer.alloc(MIB - 1, 0x20));
        return s;
      }),
    );
    // At most 32 MiB of bodies are held (the default budget): at least flood - 32 are refused.
    const refused = (e: JsonRecord) => e.type === 'delivery' && e.answered === 503;
    for (let i = 0; i < flood - 32; i++) await listen.next(refused);
    const rss = await rssMiB(listen.child.pid!);
    expect(rss).toBeLessThan(250);
    const refusedCount = listen.events.filter(refused).length;
    expect(refusedCount).toBeGreaterThanOrEqual(flood - 32);
    // The refused ones were told when to come back.
    const answered = clients.filter((c) => /^HTTP\/1\.1 503/.test(c.text()));
    for (const c of answered) expect(c.text()).toMatch(/retry-after: 5/i);

    // Cut the stalled senders off: each is logged once, as incomplete, without its whole body.
    const held = flood - refusedCount;
    for (const c of clients) c.destroy();
    for (let i = 0; i < held; i++) await listen.next((e) => e.type === 'delivery' && e.answered === 408);
    expect(listen.events.filter((e) => e.type === 'delivery' && e.answered === 408).every((e) => e.bodySize === MIB - 1)).toBe(true);
    const logBytes = (await stat(path.join(store, 'deliveries.ndjson'))).size;
    expect(logBytes).toBeLessThan(2 * MIB); // 32 whole bodies would be over 40 MiB in base64

    // Memory was released: a valid delivery is forwarded and verified.
    const ok = await post(`${url}/hooks`, validBody());
    expect(ok.status).toBe(200);
    expect(app.received).toHaveLength(1);
    const last = await listen.next((e) => e.type === 'delivery' && e.answered === 200);
    expect(last.signature).toBe('verified');
  });

  it('caps connections: one over --max-connections gets 503 and is closed; the cap lifts when they go', async () => {
    listen = await start(['--max-connections', '4']);
    const url = listen.ready.localUrl as string;
    const idle = await Promise.all(Array.from({ length: 4 }, () => rawSocket(url)));
    const extra = await rawSocket(url);
    expect(await extra.waitFor(/\r\n\r\n/)).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n[\s\S]*retry-after: 5/i);
    await listen.next((e) => e.type === 'warning' && /refusing connections/.test(e.message));
    for (const s of [...idle, extra]) s.destroy();
    await listen.next((e) => e.type === 'warning' && /back under the cap/.test(e.message));
    expect((await post(`${url}/hooks`, validBody())).status).toBe(200);
  });
});

describe('what the receiver forwards', () => {
  it('honours Expect: 100-continue (curl sends it for large bodies) and refuses an oversized one before it is sent', async () => {
    listen = await start(['--max-body', '4096']);
    const url = listen.ready.localUrl as string;
    const body = validBody(7);
    const s = await rawSocket(url);
    s.write(`POST /hooks HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nx-paystack-signature: ${sign(body)}\r\nexpect: 100-continue\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`);
    await s.waitFor(/^HTTP\/1\.1 100 Continue\r\n\r\n/);
    s.write(body);
    expect(await s.waitFor(/\{"ok":true\}/)).toMatch(/HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    expect(app.received[0]!.body.toString()).toBe(body);
    expect(app.received[0]!.headers.expect).toBeUndefined();

    const big = await rawSocket(url);
    big.write(`POST /hooks HTTP/1.1\r\nhost: x\r\nexpect: 100-continue\r\ncontent-length: 5000\r\n\r\n`);
    const answer = await big.waitFor(/over the 4096-byte cap/);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).not.toContain('100 Continue');
    const logged = await listen.next((e) => e.type === 'delivery' && e.answered === 413);
    expect(logged.bodySize).toBe(5000);
    expect(app.received).toHaveLength(1);
  });

  it('answers methods other than POST 405 and logs them; --any-method forwards them', async () => {
    listen = await start();
    const url = listen.ready.localUrl as string;
    for (const method of ['GET', 'DELETE', 'PUT']) {
      const res = await fetch(`${url}/hooks/admin`, { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      const logged = await listen.next((e) => e.type === 'delivery' && e.answered === 405);
      expect(logged.skipped).toMatch(new RegExp(`method ${method} is not forwarded.*--any-method`));
    }
    expect(app.received).toHaveLength(0);
    await listen.stop();
    listen = await start(['--any-method']);
    expect((await fetch(`${listen.ready.localUrl}/hooks`, { method: 'PUT', body: 'x' })).status).toBe(200);
    expect(app.received.map((r) => r.method)).toEqual(['PUT']);
  });

  it('--verified-only forwards verified deliveries and answers forged or unsigned ones 401, logged', async () => {
    listen = await start(['--verified-only']);
    const url = `${listen.ready.localUrl}/hooks`;
    expect((await post(url, validBody(1))).status).toBe(200);
    expect((await post(url, validBody(2), { 'x-paystack-signature': 'f'.repeat(128) })).status).toBe(401);
    expect((await fetch(url, { method: 'POST', body: validBody(3) })).status).toBe(401);
    expect(app.received).toHaveLength(1);
    const refused = await listen.next((e) => e.type === 'delivery' && e.answered === 401);
    expect(refused.skipped).toMatch(/--verified-only/);
  });

  it('does not tell the sender where the app lives when it is down, and drops headers named in Connection', async () => {
    const closedPort = await startStubApp();
    const deadUrl = `${closedPort.url}/hooks`;
    await closedPort.close();
    listen = await start([], deadUrl);
    const down = await post(`${listen.ready.localUrl}/hooks`, validBody());
    expect(down.status).toBe(502);
    expect(down.text).not.toContain(new URL(deadUrl).port);
    expect(down.text).not.toContain('127.0.0.1');
    const logged = await listen.next((e) => e.type === 'delivery' && e.answered === 502);
    expect(logged.error).toBeDefined(); // the whole story stays in the log, for the user
    await listen.stop();

    listen = await start();
    const body = validBody();
    const s = await rawSocket(listen.ready.localUrl as string);
    s.write(`POST /hooks HTTP/1.1\r\nhost: x\r\nconnection: keep-alive, x-hop-secret\r\nx-hop-secret: 1\r\nx-end-to-end: 2\r\nx-paystack-signature: ${sign(body)}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    await s.waitFor(/HTTP\/1\.1 200/);
    expect(app.received[0]!.headers['x-hop-secret']).toBeUndefined();
    expect(app.received[0]!.headers['x-end-to-end']).toBe('2');
  });
});
