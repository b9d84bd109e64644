import { setFlagsFromString } from 'node:v8';
import type { Dispatcher, Pool } from 'undici';
import type { Clock } from '../clock.js';
import { answered, BodyKeeper, classifySendError, dispatchKept, http, https, loadUndici, noAnswer, notSent, sendOnce, type SendInput, type SendResult } from './send.js';

/** Connections to one origin kept open for a run of many sends (replay); `close` when done. */
export interface SendPool {
  send(input: SendInput, clock: Clock): Promise<SendResult>;
  close(): Promise<void>;
}

/**
 * Sends that go through this pool are cut off when `signal` aborts (one listener for the run, not
 * one per request); what has not started yet comes back as `aborted` without being sent.
 */
export interface PoolOptions {
  readonly url: URL;
  /** Connections to keep open: the run's requests in flight. */
  readonly connections: number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * An undici Pool, its requests dispatched with a plain handler. Timeouts are undici's own: no
 * headers within the timeout, or a gap longer than it while the body comes, count as a timeout.
 * Pays back its start-up (loading undici, its WebAssembly parser warming up) over hundreds of
 * requests; see httpPool for short runs.
 */
export async function undiciPool(options: PoolOptions): Promise<SendPool> {
  // undici's HTTP parser is WebAssembly: V8's baseline compiler is fast enough for it, and without
  // this V8 also optimises it in the background, which costs ~75 ms of CPU and holds a replay's
  // exit until it is done (measured at 50 and 5,000 fixtures). Set before undici loads; a replay
  // compiles no other WebAssembly (listen and the sandbox, which run long, never come here).
  setFlagsFromString('--liftoff-only');
  const { Pool } = await loadUndici();
  const pool: Pool = new Pool(options.url.origin, { connections: options.connections, pipelining: 1 });
  const onAbort = () => void pool.destroy(new Error('interrupted')).catch(() => undefined);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    send: (input, clock) => dispatchOne(pool, input, clock),
    async close() {
      options.signal?.removeEventListener('abort', onAbort);
      if (!pool.destroyed && !pool.closed) await pool.close();
    },
  };
}

function dispatchOne(pool: Pool, input: SendInput, clock: Clock): Promise<SendResult> {
  if (input.signal?.aborted) return Promise.resolve(notSent());
  const url = typeof input.url === 'string' ? new URL(input.url) : input.url;
  const started = clock.monotonic();
  const keeper = new BodyKeeper(input.maxResponseBytes ?? 4096);
  const options: Dispatcher.DispatchOptions = {
    path: `${url.pathname}${url.search}`,
    method: (input.method ?? 'POST') as Dispatcher.HttpMethod,
    headers: input.headers as Record<string, string | string[]>,
    body: input.body as Buffer,
    headersTimeout: input.timeoutMs,
    bodyTimeout: input.timeoutMs,
  };
  return dispatchKept(pool, options, keeper).then(
    ({ status, headers }) => answered(status, headers, keeper, clock.monotonic() - started),
    (error: Error) => noAnswer(classifySendError(error, url, input.timeoutMs, input.signal), clock.monotonic() - started),
  );
}

/**
 * node:http with a keep-alive agent of `connections` sockets: nothing to load and nothing to warm
 * up, so short runs (CI-sized replays) finish sooner than with undici.
 */
export function httpPool(options: PoolOptions): SendPool {
  const Agent = options.url.protocol === 'https:' ? https().Agent : http().Agent;
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  return {
    send: (input, clock) => sendOnce({ ...input, agent, ...(options.signal ? { signal: options.signal } : {}) }, clock),
    async close() {
      agent.destroy();
    },
  };
}
