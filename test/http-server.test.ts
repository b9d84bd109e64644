import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { BodyTooLargeError, readBody, startHttpServer, type HttpServer } from '../src/http/server.js';

// The raw HTTP server helper the receiver, the control endpoint, the demo app and the sandbox share.
let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server answering with what readBody made of the request: its length, or the error's message. */
const echoLength = (max: number, drain: boolean) =>
  startHttpServer((req, res) => {
    readBody(req, max, { drain }).then(
      (body) => res.end(`${body.length}`),
      (error: Error) => res.writeHead(error instanceof BodyTooLargeError ? 413 : 500).end(error.message),
    );
  });

describe('startHttpServer', () => {
  /** A server holding each request until the test answers it; resolves once one arrived. */
  async function holding(graceMs: number | undefined) {
    let answer: ((text: string) => void) | undefined;
    let arrived: () => void = () => undefined;
    const inProgress = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    server = await startHttpServer(
      (_req, res) => {
        answer = (text) => res.end(text);
        arrived();
      },
      graceMs === undefined ? {} : { graceMs },
    );
    const response = request(server.url).then((res) => res.body.text());
    await inProgress;
    return { response, answer: (text: string) => answer?.(text) };
  }

  it('with graceMs, a request in progress when close is called still gets its answer', async () => {
    const held = await holding(60_000);
    const closed = server!.close();
    held.answer('finished');
    expect(await held.response).toBe('finished');
    await closed;
  });

  it('without graceMs, close cuts a request in progress', async () => {
    const held = await holding(undefined);
    await server!.close();
    await expect(held.response).rejects.toThrow();
  });

  it('listens on loopback on a free port, and close is idempotent and closes open connections', async () => {
    server = await startHttpServer((_req, res) => res.end('ok'));
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    // A kept-alive connection stays open after the answer; close must not wait for it.
    const res = await request(server.url, { headers: { connection: 'keep-alive' } });
    expect(await res.body.text()).toBe('ok');
    const first = server.close();
    expect(server.close()).toBe(first);
    await first;
    await expect(request(server.url)).rejects.toThrow();
  });

  it('rejects with the listen error when the port is taken', async () => {
    server = await startHttpServer((_req, res) => res.end());
    await expect(startHttpServer((_req, res) => res.end(), { port: server.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('readBody', () => {
  it('reads a body up to the limit', async () => {
    server = await echoLength(1024, false);
    const res = await request(server.url, { method: 'POST', body: Buffer.alloc(1024) });
    expect(await res.body.text()).toBe('1024');
  });

  it('with drain, reads an oversized body to its end and then refuses it, so the sender gets the answer', async () => {
    server = await echoLength(1024, true);
    const res = await request(server.url, { method: 'POST', body: Buffer.alloc(64 * 1024) });
    expect(res.statusCode).toBe(413);
    expect(await res.body.text()).toBe('the request is over 1 KiB');
  });
});
