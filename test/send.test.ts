import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { keepAlivePool } from '../src/delivery/keep-alive.js';
import { httpPool, undiciPool, type SendPool } from '../src/delivery/pool.js';
import { sendOnce, type SendInput, type SendResult } from '../src/delivery/send.js';

// A self-signed certificate for 127.0.0.1 and localhost (valid for 100 years), for TLS cases only.
const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgzxUIChNnr2PyTjDq
vlJQNgaNy1R+dV7/CBovwBN/nQShRANCAAQtkJ/HE6Je5vq9ewxFpvJrYPXV59KC
Rlm+MzqZQnKmvA2v/xiAfpV6xeROU1nlMWlE+vc6an7XY3WqYt01Ai1Z
-----END PRIVATE KEY-----`;
const CERT = `-----BEGIN CERTIFICATE-----
MIIBnDCCAUGgAwIBAgIUcPjpBZHxWlM8jymIrYs8MwdBuvswCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNjAyMTI0N1oYDzIxMjYxMTAy
MDIxMjQ3WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQtkJ/HE6Je5vq9ewxFpvJrYPXV59KCRlm+MzqZQnKmvA2v/xiAfpV6
xeROU1nlMWlE+vc6an7XY3WqYt01Ai1Zo28wbTAdBgNVHQ4EFgQUK3zanDxFyvTr
bQGKX+a5yJuKy5owHwYDVR0jBBgwFoAUK3zanDxFyvTrbQGKX+a5yJuKy5owDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
zj0EAwIDSQAwRgIhAJE1BCzTUZ5ULp851Z+ty2v0AKrgZ81tSAGBd8eTKlhgAiEA
jhCkiMF9vewtx5mjSCq4gJT/IUp6B/Ixv3eMjizsiss=
-----END CERTIFICATE-----`;

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly rawHeaders: string[];
  readonly body: Buffer;
}

const servers: Server[] = [];
const pools: SendPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

/** A loopback server; `handle` answers; every request and connection is noted. */
async function serve(handle: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void, tls = false) {
  const seen: Seen[] = [];
  let connections = 0;
  const arrived: ((s: Seen) => void)[] = [];
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) };
      seen.push(s);
      arrived.shift()?.(s);
      handle(req, res, s.body);
    });
  };
  const server: Server = tls ? (createHttpsServer({ key: KEY, cert: CERT }, onRequest) as unknown as Server) : createServer(onRequest);
  server.on(tls ? 'secureConnection' : 'connection', () => connections++);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    seen,
    connections: () => connections,
    /** Resolves when the next request's body has arrived. */
    next: () => new Promise<Seen>((resolve) => arrived.push(resolve)),
  };
}

const input = (url: string, extra: Partial<SendInput> = {}): SendInput => ({ url, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"a":1}'), timeoutMs: 5_000, ...extra });

/** The same cases for each way of sending: one-shot node:http, the node:http pool, the undici pool, replay's keep-alive client. */
const transports: [string, (url: string, signal?: AbortSignal) => Promise<(i: SendInput) => Promise<SendResult>>][] = [
  ['sendOnce', async () => (i) => sendOnce(i, systemClock)],
  ['httpPool', async (url, signal) => {
    const pool = httpPool({ url: new URL(url), connections: 2, signal });
    pools.push(pool);
    return (i) => pool.send(i, systemClock);
  }],
  ['undiciPool', async (url, signal) => {
    const pool = await undiciPool({ url: new URL(url), connections: 2, signal });
    pools.push(pool);
    return (i) => pool.send(i, systemClock);
  }],
  ['keepAlivePool', async (url, signal) => {
    const options = { url: new URL(url), connections: 2, signal };
    const pool = keepAlivePool(options, () => httpPool(options));
    pools.push(pool);
    return (i) => pool.send(i, systemClock);
  }],
];

describe.each(transports)('%s', (_name, open) => {
  it('sends the headers as given, a list as repeated lines, and the exact bytes; keeps repeated answer headers as a list', async () => {
    const app = await serve((_req, res) => {
      res.setHeader('x-answer', ['one', 'two']);
      res.end('{"ok":true}');
    });
    const send = await open(app.url);
    const result = await send(input(`${app.url}/hooks?x=1`, { headers: { 'content-type': 'application/json', 'X-Mixed-Case': 'kept', 'x-dup': ['a', 'b'] } }));
    expect(result).toMatchObject({ ok: true, status: 200, truncated: false });
    expect(result.body.toString()).toBe('{"ok":true}');
    expect(result.headers['x-answer']).toEqual(['one', 'two']);
    const [seen] = app.seen;
    expect(seen?.method).toBe('POST');
    expect(seen?.url).toBe('/hooks?x=1');
    expect(seen?.body.toString()).toBe('{"a":1}');
    const pairs = [];
    for (let i = 0; i < (seen?.rawHeaders.length ?? 0); i += 2) pairs.push([seen!.rawHeaders[i]!.toLowerCase(), seen!.rawHeaders[i + 1]]);
    expect(pairs.filter(([n]) => n === 'x-dup')).toEqual([['x-dup', 'a'], ['x-dup', 'b']]);
    expect(pairs).toContainEqual(['x-mixed-case', 'kept']);
    expect(pairs).toContainEqual(['content-length', '7']);
  });

  it('does not follow a redirect: the 3xx is the answer', async () => {
    const app = await serve((req, res) => {
      if (req.url === '/moved') res.writeHead(307, { location: '/elsewhere' }).end();
      else res.end('followed');
    });
    const send = await open(app.url);
    const result = await send(input(`${app.url}/moved`));
    expect(result).toMatchObject({ ok: false, status: 307, headers: { location: '/elsewhere' } });
    expect(app.seen.map((s) => s.url)).toEqual(['/moved']);
  });

  it('keeps the first maxResponseBytes of the answer and says it was cut', async () => {
    const app = await serve((_req, res) => res.end('x'.repeat(100_000)));
    const send = await open(app.url);
    const result = await send(input(app.url, { maxResponseBytes: 10 }));
    expect(result).toMatchObject({ status: 200, truncated: true });
    expect(result.body.toString()).toBe('x'.repeat(10));
  });

  it('an app that never answers is a timeout, named with the limit', async () => {
    const app = await serve(() => undefined);
    const send = await open(app.url);
    const result = await send(input(app.url, { timeoutMs: 300 }));
    expect(result.status).toBeUndefined();
    expect(result.error).toEqual({ kind: 'timeout', message: `${app.url} did not answer within 300 ms` });
  });

  it('nothing listening is refused', async () => {
    const app = await serve(() => undefined);
    const url = app.url;
    const server = servers.pop()!;
    server.close();
    await once(server, 'close');
    const send = await open(url);
    expect((await send(input(url))).error).toEqual({ kind: 'refused', message: `nothing is listening on ${url} (connection refused): is your app running?` });
  });

  it('an interrupt cuts off a request in flight, and nothing goes out after it', async () => {
    const app = await serve(() => undefined);
    const controller = new AbortController();
    const send = await open(app.url, controller.signal);
    const arrived = app.next();
    const inFlight = send(input(app.url, { signal: controller.signal }));
    await arrived;
    controller.abort();
    expect((await inFlight).error).toEqual({ kind: 'aborted', message: 'interrupted' });
    expect((await send(input(app.url, { signal: controller.signal }))).error).toEqual({ kind: 'aborted', message: 'interrupted before it was sent' });
    expect(app.seen).toHaveLength(1);
  });
});

describe('pools', () => {
  it.each(['httpPool', 'undiciPool', 'keepAlivePool'] as const)('%s keeps its connections open between sends, no more than its size (2)', async (name) => {
    const app = await serve((_req, res) => res.end('ok'));
    const send = await transports.find(([n]) => n === name)![1](app.url);
    for (let i = 0; i < 6; i++) expect((await send(input(app.url))).status).toBe(200);
    expect(app.connections()).toBeGreaterThanOrEqual(1);
    expect(app.connections()).toBeLessThanOrEqual(2);
  });
});

describe('sendOnce over https', () => {
  it('a self-signed certificate is a TLS error, and nothing is sent', async () => {
    const app = await serve((_req, res) => res.end('ok'), true);
    const result = await sendOnce(input(app.url), systemClock);
    expect(result.error?.kind).toBe('tls');
    expect(result.error?.message).toMatch(new RegExp(`^TLS error talking to ${app.url.replace(/[.]/g, '\\.')}: \\w*CERT`));
    expect(app.seen).toHaveLength(0);
  });

  it('sends over TLS to a server the agent trusts', async () => {
    const app = await serve((_req, res) => res.end('secure'), true);
    const agent = new HttpsAgent({ ca: CERT });
    try {
      const result = await sendOnce(input(`${app.url}/hooks`, { agent }), systemClock);
      expect(result).toMatchObject({ ok: true, status: 200 });
      expect(result.body.toString()).toBe('secure');
      expect(app.seen.map((s) => s.body.toString())).toEqual(['{"a":1}']);
    } finally {
      agent.destroy();
    }
  });
});
