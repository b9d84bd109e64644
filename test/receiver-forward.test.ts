/**
 * The receiver's way out: targets joined by string operations must be the URLs `new URL` makes,
 * and the receiver's own dispatcher must still time out, cap and report like sendRequest.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { createForwarder, joinTarget, type Forwarder } from '../src/listen/forward.js';
import { startStubApp, type StubApp } from './support/stub-app.js';

describe('forward targets', () => {
  it('are what new URL makes of the target and the received path, for plain and odd paths alike', () => {
    const bases = ['http://127.0.0.1:3000', 'http://127.0.0.1:3000/', 'http://localhost:3000/api/hooks', 'http://localhost:3000/api/hooks/', 'https://app.test/base?key=1', 'http://app.test/p#frag', 'http://user:pw@app.test/x'];
    const paths = ['/', '/webhooks', '/webhooks?a=1&b=two', '/a/b/c', '/?', '/x?', '/?q=1', '/a/./b', '/a/../b', '/.well-known/x', '//evil.test/x', '/a%2e%2e/b', '/%2e%2e/b', '/sp ace', '/q?x="y"', "/q?it's", '/a\\b', '/é', '/q?#h', '/a;b=c', '/~user/$x'];
    for (const base of bases) {
      const forwarder = createForwarder({ forwardTo: new URL(base), timeoutMs: 1000, maxResponseBytes: 10, clock: systemClock });
      for (const path of paths) {
        const url = joinTarget(new URL(base), path);
        expect([base, path, forwarder.target(undefined, path)?.href]).toEqual([base, path, url.href]);
        expect(forwarder.target(undefined, path)?.path).toBe(`${url.pathname}${url.search}`);
      }
      expect(forwarder.target(undefined, 'http://[')).toBeUndefined();
      void forwarder.close();
    }
  });

  it('follow the first matching route', () => {
    const forwarder = createForwarder({
      forwardTo: new URL('http://127.0.0.1:1/main'),
      routes: [
        { pattern: 'charge.*', target: new URL('http://127.0.0.1:2/charges') },
        { pattern: '*', target: new URL('http://127.0.0.1:3/') },
      ],
      timeoutMs: 1000,
      maxResponseBytes: 10,
      clock: systemClock,
    });
    expect(forwarder.target('charge.success', '/hook')?.href).toBe('http://127.0.0.1:2/charges/hook');
    expect(forwarder.target('refund', '/hook')?.href).toBe('http://127.0.0.1:3/hook');
    expect(forwarder.target(undefined, '/hook')?.href).toBe('http://127.0.0.1:1/main/hook');
    void forwarder.close();
  });
});

describe('forwarding', () => {
  let app: StubApp | undefined;
  let forwarder: Forwarder | undefined;
  afterEach(async () => {
    await forwarder?.close();
    await app?.close();
    forwarder = undefined;
    app = undefined;
  });

  it('sends the exact bytes and keeps only the first bytes of the answer', async () => {
    app = await startStubApp(() => ({ status: 201, body: 'x'.repeat(100) }));
    forwarder = createForwarder({ forwardTo: new URL(app.url), timeoutMs: 5000, maxResponseBytes: 10, clock: systemClock });
    const result = await forwarder.send(forwarder.target(undefined, '/hook?a=1')!, { method: 'POST', headers: { 'x-test': 'yes' }, body: Buffer.from('{"a":1}') });
    expect(result).toMatchObject({ ok: true, status: 201, truncated: true });
    expect(result.body.toString()).toBe('x'.repeat(10));
    expect(app.received[0]).toMatchObject({ method: 'POST', url: '/hook?a=1', body: Buffer.from('{"a":1}') });
    expect(app.received[0]!.headers['x-test']).toBe('yes');
  });

  it('reports an app that does not answer in time as a timeout, and one that is down as refused', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    app = await startStubApp(async () => {
      await held;
      return { status: 200 };
    });
    forwarder = createForwarder({ forwardTo: new URL(app.url), timeoutMs: 300, maxResponseBytes: 10, clock: systemClock });
    const result = await forwarder.send(forwarder.target(undefined, '/')!, { method: 'POST', headers: {}, body: Buffer.from('{}') });
    release();
    expect(result.status).toBeUndefined();
    expect(result.error).toEqual({ kind: 'timeout', message: `${app.url} did not answer within 300 ms` });
    const url = app.url;
    await app.close();
    app = undefined;
    const down = await forwarder.send(forwarder.target(undefined, '/')!, { method: 'POST', headers: {}, body: Buffer.from('{}') });
    expect(down.error?.kind).toBe('refused');
    expect(down.error?.message).toContain(url);
  });
});
