import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { keepAlivePool, requestBytes } from '../src/delivery/keep-alive.js';
import type { SendPool } from '../src/delivery/pool.js';
import { ResponseParser } from '../src/delivery/response-parser.js';
import type { SendInput, SendResult } from '../src/delivery/send.js';

// replay's own HTTP/1.1 client against raw loopback servers that answer exactly the bytes a case
// gives: well-formed answers in every framing, and hostile or malformed ones.

const servers: Server[] = [];
const pools: SendPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  for (const server of servers.splice(0)) server.close();
});

/** What a raw server got: each request's head (text) and body, and its connection count. */
interface Raw {
  readonly url: string;
  readonly requests: { head: string; body: Buffer }[];
  connections: number;
}

/**
 * A TCP server that reads each request (head, then a Content-Length body) and calls `answer`
 * with the socket and the request's number (0-based, across connections); `early` answers as
 * soon as the head has come, before the body is read.
 */
async function rawServer(answer: (socket: Socket, n: number) => void, early = false): Promise<Raw> {
  const raw: Raw = { url: '', requests: [], connections: 0 };
  const server = createServer((socket) => {
    raw.connections++;
    let buf = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (early) {
          raw.requests.push({ head, body: Buffer.alloc(0) });
          buf = Buffer.alloc(0);
          answer(socket, raw.requests.length - 1);
          return;
        }
        if (buf.length < end + 4 + length) return;
        raw.requests.push({ head, body: buf.subarray(end + 4, end + 4 + length) });
        buf = buf.subarray(end + 4 + length);
        answer(socket, raw.requests.length - 1);
      }
    });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return Object.assign(raw, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

/** A server that answers every request with these bytes (and closes when `close`). */
const answering = (bytes: string, close = false) => rawServer((socket) => (close ? socket.end(bytes) : socket.write(bytes)));

const input = (url: string, extra: Partial<SendInput> = {}): SendInput => ({ url: `${url}/hooks`, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"a":1}'), timeoutMs: 5_000, ...extra });

function pool(url: string, options: { signal?: AbortSignal; fallback?: () => SendPool } = {}): SendPool {
  const made = keepAlivePool({ url: new URL(url), connections: 2, signal: options.signal }, options.fallback ?? (() => { throw new Error('no fallback expected'); }));
  pools.push(made);
  return made;
}

const send = (p: SendPool, i: SendInput): Promise<SendResult> => p.send(i, systemClock);

describe('keepAlivePool: answers it reads', () => {
  it('writes one HTTP/1.1 request: method, path, host, the headers as given, content-length, the exact body', async () => {
    const app = await answering('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    const result = await send(pool(app.url), input(app.url, { headers: { 'X-Sig': 'abc', 'x-dup': ['a', 'b'] } }));
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(result.body.toString()).toBe('ok');
    expect(app.requests[0]!.head.split('\r\n')).toEqual(['POST /hooks HTTP/1.1', `host: ${new URL(app.url).host}`, 'X-Sig: abc', 'x-dup: a', 'x-dup: b', 'content-length: 7']);
    expect(app.requests[0]!.body.toString()).toBe('{"a":1}');
  });

  it('keeps a connection for the next request, and opens a new one after Connection: close', async () => {
    const app = await rawServer((socket, n) => {
      if (n === 1) socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    });
    const p = pool(app.url);
    for (let i = 0; i < 3; i++) expect((await send(p, input(app.url))).status).toBe(200);
    expect(app.connections).toBe(2);
  });

  it('reads a chunked body (extensions, split across writes, trailers) and keeps the connection', async () => {
    const app = await rawServer((socket) => {
      socket.write('HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\nx-a: 2\r\n\r\n5;ext=1\r\nhel');
      setImmediate(() => socket.write('lo\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n'));
    });
    const p = pool(app.url);
    const result = await send(p, input(app.url));
    expect(result).toMatchObject({ ok: true, status: 201, headers: { 'x-a': ['1', '2'], 'transfer-encoding': 'chunked' } });
    expect(result.body.toString()).toBe('hello world');
    expect((await send(p, input(app.url))).status).toBe(201);
    expect(app.connections).toBe(1);
  });

  it('skips interim answers (100 Continue, 103 Early Hints) for the final one', async () => {
    const app = await answering('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 4\r\n\r\ndone');
    const result = await send(pool(app.url), input(app.url));
    expect(result).toMatchObject({ status: 202 });
    expect(result.body.toString()).toBe('done');
  });

  it('an HTTP/1.0 answer without a length runs until the connection closes', async () => {
    const app = await answering('HTTP/1.0 200 OK\r\n\r\nall of it', true);
    const result = await send(pool(app.url), input(app.url));
    expect(result).toMatchObject({ status: 200 });
    expect(result.body.toString()).toBe('all of it');
  });

  it('more requests at once than connections: they wait for a free one, and never more than its size (2) are opened', async () => {
    const app = await rawServer((socket, n) => setImmediate(() => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${String(n).length}\r\n\r\n${n}`)));
    const p = pool(app.url);
    const results = await Promise.all(Array.from({ length: 9 }, () => send(p, input(app.url))));
    expect(results.map((r) => r.status)).toEqual(Array(9).fill(200));
    expect(results.map((r) => Number(r.body.toString())).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(app.connections).toBe(2);
  });

  it('an HTTP/1.1 answer without a length: its body runs to the close, the first maxResponseBytes kept', async () => {
    const app = await answering(`HTTP/1.1 500 Internal Server Error\r\n\r\n${'e'.repeat(10_000)}`, true);
    const result = await send(pool(app.url), input(app.url, { maxResponseBytes: 100 }));
    expect(result).toMatchObject({ ok: false, status: 500, truncated: true });
    expect(result.body.toString()).toBe('e'.repeat(100));
  });

  it('204 and 304 have no body even with a length; the connection goes on', async () => {
    const app = await rawServer((socket, n) => socket.write(n === 0 ? 'HTTP/1.1 204 No Content\r\n\r\n' : 'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n'));
    const p = pool(app.url);
    expect(await send(p, input(app.url))).toMatchObject({ status: 204, truncated: false });
    expect((await send(p, input(app.url))).status).toBe(304);
    expect(app.connections).toBe(1);
  });

  it('an answer that comes before the body was read is the answer; the connection is not reused', async () => {
    const app = await rawServer((socket) => socket.write('HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n'), true);
    const p = pool(app.url);
    const big = Buffer.alloc(8 * 1024 * 1024, 0x61);
    expect((await send(p, input(app.url, { body: big }))).status).toBe(413);
    expect((await send(p, input(app.url))).status).toBe(413);
    expect(app.connections).toBe(2);
  });

  it('bytes after the answer that nobody asked for: that connection is dropped, the next request gets a new one', async () => {
    const app = await rawServer((socket, n) => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n${n === 0 ? 'HTTP/1.1 200 OK\r\n\r\n' : ''}`));
    const p = pool(app.url);
    expect((await send(p, input(app.url))).status).toBe(200);
    expect((await send(p, input(app.url))).status).toBe(200);
    expect(app.connections).toBe(2);
  });
});

describe('keepAlivePool: answers it refuses', () => {
  const malformed: [string, string, RegExp][] = [
    ['not HTTP', 'SSH-2.0-OpenSSH_9.6\r\n\r\n', /not an HTTP\/1\.x status line/],
    ['HTTP/2 status line', 'HTTP/2 200\r\n\r\n', /not an HTTP\/1\.x status line/],
    ['a two-digit status', 'HTTP/1.1 20 OK\r\n\r\n', /not an HTTP\/1\.x status line/],
    ['a header without a colon', 'HTTP/1.1 200 OK\r\nbroken header\r\n\r\n', /bad header line/],
    ['a folded header line', 'HTTP/1.1 200 OK\r\nX-A: 1\r\n  more\r\nContent-Length: 0\r\n\r\n', /bad header line/],
    ['a control character in a value', 'HTTP/1.1 200 OK\r\nX-A: a\x01b\r\nContent-Length: 0\r\n\r\n', /bad header line/],
    ['bare LF line ends', 'HTTP/1.1 200 OK\nContent-Length: 0\n\n', /bare LF/],
    ['Content-Length and Transfer-Encoding', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', /both Content-Length and Transfer-Encoding/],
    ['two different lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc', /bad Content-Length/],
    ['a negative length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /bad Content-Length/],
    ['chunked not last', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n', /chunked is not the last/],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /bad chunk size/],
    ['no CRLF after a chunk', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY0\r\n\r\n', /no CRLF after a chunk/],
    ['an unasked 101', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n', /101 Switching Protocols/],
    ['a head over 64 KiB', `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(70_000)}`, /a head over 65536 bytes/],
  ];
  it.each(malformed)('%s: an error naming the server, not an answer', async (_name, bytes, why) => {
    const app = await answering(bytes);
    const result = await send(pool(app.url), input(app.url));
    expect(result.status).toBeUndefined();
    expect(result.error?.kind).toBe('other');
    expect(result.error?.message).toMatch(new RegExp(`^${app.url.replace(/[.]/g, '\\.')} sent a malformed HTTP answer: `));
    expect(result.error?.message).toMatch(why);
  });

  it('after a malformed answer the next request goes on a fresh connection', async () => {
    const app = await rawServer((socket, n) => socket.write(n === 0 ? 'garbage\r\n\r\n' : 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    const p = pool(app.url);
    expect((await send(p, input(app.url))).error?.kind).toBe('other');
    expect((await send(p, input(app.url))).status).toBe(200);
    expect(app.connections).toBe(2);
  });

  it('a connection closed in the middle of the body is a reset', async () => {
    const app = await answering('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial', true);
    const result = await send(pool(app.url), input(app.url));
    expect(result.error).toEqual({ kind: 'reset', message: `${app.url} closed the connection without answering` });
  });

  it('a connection closed with no answer at all is a reset', async () => {
    const app = await rawServer((socket) => socket.destroy());
    expect((await send(pool(app.url), input(app.url))).error?.kind).toBe('reset');
  });

  it('an answer that stops halfway is a timeout, and the connection is not reused', async () => {
    const app = await rawServer((socket, n) => socket.write(n === 0 ? 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf' : 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    const p = pool(app.url);
    expect((await send(p, input(app.url, { timeoutMs: 200 }))).error).toEqual({ kind: 'timeout', message: `${app.url} did not answer within 200 ms` });
    expect((await send(p, input(app.url))).status).toBe(200);
    expect(app.connections).toBe(2);
  });
});

describe('keepAlivePool: what it hands on', () => {
  it.each([
    ['a header value outside visible ASCII', { headers: { 'x-name': 'café' } }],
    ['a header it sets itself', { headers: { host: 'elsewhere' } }],
    ['Transfer-Encoding', { headers: { 'transfer-encoding': 'chunked' } }],
    ['one name twice in different cases', { headers: { 'Content-Type': 'text/plain', 'content-type': 'application/json' } }],
    ['a method that is not a token', { method: 'GE T' }],
  ] as const)('%s goes to the fallback pool', async (_name, extra) => {
    const app = await answering('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    const handed: SendInput[] = [];
    const fallback = (): SendPool => ({
      send: async (i) => {
        handed.push(i);
        return { ok: true, status: 299, headers: {}, body: Buffer.alloc(0), truncated: false, durationMs: 0 };
      },
      close: async () => undefined,
    });
    const result = await send(pool(app.url, { fallback }), input(app.url, extra));
    expect(result.status).toBe(299);
    expect(handed).toHaveLength(1);
    expect(app.requests).toHaveLength(0);
  });

  it('an https URL is never written by hand', () => {
    expect(requestBytes(input('https://127.0.0.1:1'), new URL('https://127.0.0.1:1/hooks'))).toBeUndefined();
  });
});

describe('ResponseParser', () => {
  const whole = Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n3;x=y\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nT: 1\r\n\r\n');
  const parse = (parts: Buffer[]) => {
    const body: Buffer[] = [];
    const parser = new ResponseParser((chunk) => body.push(Buffer.from(chunk)));
    const done = parts.map((part) => parser.push(part));
    return { done, parser, body: Buffer.concat(body).toString() };
  };

  it('reads the same answer however the bytes are split: at every point, and one byte at a time', () => {
    for (let at = 0; at <= whole.length; at++) {
      const { done, parser, body } = parse([whole.subarray(0, at), whole.subarray(at)]);
      expect(done.at(-1)).toBe(true);
      expect({ status: parser.status, body, keepAlive: parser.keepAlive, rest: parser.rest.length }).toEqual({ status: 200, body: 'abc0123456789abcdef', keepAlive: true, rest: 0 });
    }
    const bytes = parse([...whole].map((b) => Buffer.from([b])));
    expect(bytes.done.indexOf(true)).toBe(whole.length - 1);
    expect(bytes.body).toBe('abc0123456789abcdef');
  });

  it('a body until close ends with the connection; a length not yet met does not', () => {
    const open = new ResponseParser(() => undefined);
    expect(open.push(Buffer.from('HTTP/1.0 200 OK\r\n\r\nsome'))).toBe(false);
    expect(open.end()).toBe(true);
    const short = new ResponseParser(() => undefined);
    expect(short.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nsome'))).toBe(false);
    expect(short.end()).toBe(false);
  });

  it('an answer to HEAD has no body whatever its length says', () => {
    const parser = new ResponseParser(() => undefined, true);
    expect(parser.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n'))).toBe(true);
    expect(parser.keepAlive).toBe(true);
  });
});
