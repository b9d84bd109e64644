import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import { errorCode } from '../errors.js';
import type { SendErrorKind, SendOutcome } from '../send-outcome.js';

export interface SendInput {
  readonly url: string | URL;
  /** Default POST. */
  readonly method?: string;
  readonly headers: Readonly<Record<string, string | string[]>>;
  /** Sent exactly as given. */
  readonly body: Uint8Array;
  /** The provider's timeout: no answer (headers and body) within it counts as a timeout. */
  readonly timeoutMs: number;
  /** How many bytes of the answer to keep (default 4096); the rest is read and dropped. */
  readonly maxResponseBytes?: number;
  /** sendRequest: the undici dispatcher (pool) to send through (default undici's global one). */
  readonly dispatcher?: Dispatcher;
  /** sendOnce: the node:http(s) agent to send through (default Node's global one). */
  readonly agent?: Agent;
  readonly signal?: AbortSignal;
}

/** A way to send one request: sendOnce, sendRequest, or a pool's send (replay). Passed in where a caller picks. */
export type Send = (input: SendInput, clock: Clock) => Promise<SendResult>;

export interface SendResult extends SendOutcome {
  /** True for a 2xx answer. */
  readonly ok: boolean;
  readonly headers: Record<string, string | string[]>;
  /** The first maxResponseBytes of the answer. */
  readonly body: Buffer;
  /** Whether the answer was longer than what was kept. */
  readonly truncated: boolean;
}

/** Why a request got no answer, in words for the user (the URL's host named, never its path). */
export function classifySendError(error: unknown, url: URL, timeoutMs: number, signal?: AbortSignal): { kind: SendErrorKind; message: string } {
  const code = errorCode(error) ?? errorCode((error as { cause?: unknown })?.cause);
  const where = `${url.protocol}//${url.host}`;
  if (signal?.aborted) return { kind: 'aborted', message: 'interrupted' };
  switch (code) {
    case 'ECONNREFUSED':
      return { kind: 'refused', message: `nothing is listening on ${where} (connection refused): is your app running?` };
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return { kind: 'timeout', message: `${where} did not answer within ${timeoutMs} ms` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { kind: 'dns', message: `cannot resolve host ${url.hostname}` };
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return { kind: 'reset', message: `${where} closed the connection without answering` };
    default:
      if (typeof code === 'string' && (code.startsWith('ERR_TLS') || code.includes('CERT'))) {
        return { kind: 'tls', message: `TLS error talking to ${where}: ${code}` };
      }
      if ((error as Error)?.name === 'TimeoutError') return { kind: 'timeout', message: `${where} did not answer within ${timeoutMs} ms` };
      return { kind: 'other', message: `request to ${where} failed: ${(error as Error)?.message ?? String(error)}` };
  }
}

/** The answer to a request that never went out because the run was interrupted first. */
export function notSent(): SendResult {
  return { ok: false, headers: {}, body: Buffer.alloc(0), truncated: false, durationMs: 0, error: { kind: 'aborted', message: 'interrupted before it was sent' } };
}

/** No answer came: `error` says why. */
export function noAnswer(error: { kind: SendErrorKind; message: string }, durationMs: number): SendResult {
  return { ok: false, headers: {}, body: Buffer.alloc(0), truncated: false, durationMs, error };
}

/** The message of a request cut off by our own whole-exchange timer. */
export function timeoutMessage(url: URL, timeoutMs: number): { kind: 'timeout'; message: string } {
  return { kind: 'timeout', message: `${url.protocol}//${url.host} did not answer within ${timeoutMs} ms` };
}

/** Keeps the first `max` bytes of an answer body and notes whether there was more. */
export class BodyKeeper {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  truncated = false;
  constructor(private readonly max: number) {}
  add(chunk: Buffer): void {
    if (this.kept >= this.max) {
      this.truncated = true;
      return;
    }
    const part = chunk.length > this.max - this.kept ? chunk.subarray(0, this.max - this.kept) : chunk;
    this.chunks.push(part);
    this.kept += part.length;
    if (part.length < chunk.length) this.truncated = true;
  }
  body(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
  }
}

/** The answer's status, headers and kept body as a SendResult. */
export function answered(status: number, headers: Record<string, string | string[]>, keeper: BodyKeeper, durationMs: number): SendResult {
  return { ok: status >= 200 && status < 300, status, headers, body: keeper.body(), truncated: keeper.truncated, durationMs };
}

/**
 * One request through an undici dispatcher (a Pool, an Agent) with a plain handler: the answer's
 * first bytes go to `keeper` as they arrive, with no response stream, listeners or body promise
 * per request; 1xx answers (e.g. 100 Continue) are passed over. Rejects with undici's own error
 * (its headers and body timeouts, a refused connection).
 */
export function dispatchKept(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, keeper: BodyKeeper): Promise<{ status: number; headers: Record<string, string | string[]> }> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let headers: Record<string, string | string[]> = {};
    dispatcher.dispatch(options, {
      // Present so undici takes this for a handler of its current interface.
      onRequestStart() {},
      onResponseStart(_controller, statusCode, answerHeaders) {
        if (statusCode < 200) return;
        status = statusCode;
        headers = answerHeaders as Record<string, string | string[]>;
      },
      onResponseData(_controller, chunk) {
        if (status !== 0) keeper.add(chunk);
      },
      onResponseEnd() {
        resolve({ status, headers });
      },
      onResponseError(_controller, error) {
        reject(error);
      },
    });
  });
}

/** Response headers as undici gives them: lower-case names, a list when a name came more than once. */
export function headerRecord(raw: readonly (string | Buffer)[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    const value = raw[i + 1]!.toString('latin1');
    const seen = out[name];
    out[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}

/** node:http, loaded when first needed: replay's own client (keep-alive.ts) sends plain http without it. */
export function http(): typeof import('node:http') {
  return process.getBuiltinModule('node:http');
}

/** node:https, loaded when first needed: it brings in TLS, which plain-http sends never use. */
export function https(): typeof import('node:https') {
  return process.getBuiltinModule('node:https');
}

/** The caller's headers as they are (lists become repeated lines), plus content-length unless given. */
function withLength(headers: Readonly<Record<string, string | string[]>>, length: number): Record<string, string | string[]> {
  for (const name of Object.keys(headers)) if (name.toLowerCase() === 'content-length') return { ...headers };
  return { ...headers, 'content-length': String(length) };
}

/**
 * POST (by default) these exact bytes over node:http(s) and report what came back: for one-shot
 * sends (trigger, resend, check), where Node's built-in parser costs nothing to load and lets the
 * process exit at once. Headers go as given (a list is sent as repeated lines); redirects are not
 * followed. Never throws for network trouble: refused, timeout, reset and the like come back as
 * `error`. When `signal` is aborted nothing is sent, and a request in flight is cut off (both come
 * back as `aborted`). One timer bounds the whole exchange (headers and body).
 */
export function sendOnce(input: SendInput, clock: Clock): Promise<SendResult> {
  const url = typeof input.url === 'string' ? new URL(input.url) : input.url;
  const started = clock.monotonic();
  const signal = input.signal;
  if (signal?.aborted) return Promise.resolve(notSent());
  return new Promise<SendResult>((resolve) => {
    let timedOut = false;
    let settled = false;
    const keeper = new BodyKeeper(input.maxResponseBytes ?? 4096);
    const settle = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const fail = (error: unknown) => settle(noAnswer(timedOut && !signal?.aborted ? timeoutMessage(url, input.timeoutMs) : classifySendError(error, url, input.timeoutMs, signal), clock.monotonic() - started));
    const onResponse = (res: IncomingMessage) => {
      res.on('data', (chunk: Buffer) => keeper.add(chunk));
      res.on('end', () => settle(answered(res.statusCode ?? 0, headerRecord(res.rawHeaders), keeper, clock.monotonic() - started)));
      res.on('error', fail);
      // The connection closed before the whole answer came (reset, or cut off by us).
      res.on('close', () => {
        if (!res.complete) fail(Object.assign(new Error('the answer was cut off'), { code: 'ECONNRESET' }));
      });
    };
    const send = url.protocol === 'https:' ? https().request : http().request;
    let req: ClientRequest;
    try {
      req = send(url, { method: input.method ?? 'POST', headers: withLength(input.headers, input.body.length), ...(input.agent ? { agent: input.agent } : {}) }, onResponse);
    } catch (error) {
      // Bad input Node refuses before sending (an invalid header value, an unsupported protocol).
      settle(noAnswer(classifySendError(error, url, input.timeoutMs, signal), clock.monotonic() - started));
      return;
    }
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
    }, input.timeoutMs);
    const onAbort = () => req.destroy(new Error('interrupted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', fail);
    req.end(input.body);
  });
}

/**
 * undici, loaded on first use. Its default export: bundled, a dynamic import of this CommonJS
 * package yields only that.
 */
export async function loadUndici(): Promise<typeof import('undici').default> {
  return (await import('undici')).default;
}

/**
 * POST (by default) these exact bytes with undici and report what came back: for senders that
 * reuse connections (listen's forwarding, the sandbox), through `dispatcher` when given. undici
 * is loaded on first use, so commands that never pool do not pay for it. Never throws for
 * network trouble, like sendOnce; `signal` works the same way.
 */
export async function sendRequest(input: SendInput, clock: Clock): Promise<SendResult> {
  const url = typeof input.url === 'string' ? new URL(input.url) : input.url;
  const started = clock.monotonic();
  // Interrupted before it began: nothing goes out (an abort listener added now would never fire).
  if (input.signal?.aborted) return notSent();
  const { request } = await loadUndici();
  // One timer for the whole exchange (undici's headers/body timeouts only bound the gaps).
  // A plain AbortController: AbortSignal.any/timeout cost more per request on Node 20.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('timeout', 'TimeoutError')), input.timeoutMs);
  const onAbort = () => controller.abort(input.signal?.reason);
  input.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (input.signal?.aborted) return notSent();
    const response = await request(url, {
      method: (input.method ?? 'POST') as Dispatcher.HttpMethod,
      headers: input.headers as Record<string, string>,
      body: input.body,
      headersTimeout: input.timeoutMs,
      bodyTimeout: input.timeoutMs,
      signal: controller.signal,
      ...(input.dispatcher ? { dispatcher: input.dispatcher } : {}),
    });
    const keeper = new BodyKeeper(input.maxResponseBytes ?? 4096);
    for await (const chunk of response.body as AsyncIterable<Buffer>) keeper.add(chunk);
    return answered(response.statusCode, response.headers as Record<string, string | string[]>, keeper, clock.monotonic() - started);
  } catch (error) {
    const aborted = input.signal?.aborted === true;
    const timedOut = controller.signal.aborted && !aborted;
    return noAnswer(timedOut ? timeoutMessage(url, input.timeoutMs) : classifySendError(error, url, input.timeoutMs, input.signal), clock.monotonic() - started);
  } finally {
    clearTimeout(timer);
    input.signal?.removeEventListener('abort', onAbort);
  }
}
