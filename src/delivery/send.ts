import { request, type Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import { errorCode } from '../errors.js';

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
  readonly dispatcher?: Dispatcher;
  readonly signal?: AbortSignal;
}

/** Why no HTTP answer came back. */
export type SendErrorKind = 'refused' | 'timeout' | 'dns' | 'reset' | 'aborted' | 'tls' | 'other';

export interface SendResult {
  /** True for a 2xx answer. */
  readonly ok: boolean;
  /** Undefined when no answer came (see error). */
  readonly status?: number;
  readonly headers: Record<string, string | string[]>;
  /** The first maxResponseBytes of the answer. */
  readonly body: Buffer;
  /** Whether the answer was longer than what was kept. */
  readonly truncated: boolean;
  readonly durationMs: number;
  readonly error?: { readonly kind: SendErrorKind; readonly message: string };
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

/**
 * POST (by default) these exact bytes with undici and report what came back. Never throws for
 * network trouble: refused, timeout, reset and the like come back as `error`. When `signal` is
 * aborted nothing is sent, and a request in flight is cut off (both come back as `aborted`).
 */
export async function sendRequest(input: SendInput, clock: Clock): Promise<SendResult> {
  const url = typeof input.url === 'string' ? new URL(input.url) : input.url;
  const max = input.maxResponseBytes ?? 4096;
  const started = clock.monotonic();
  // Interrupted before it began: nothing goes out (an abort listener added now would never fire).
  if (input.signal?.aborted) return { ok: false, headers: {}, body: Buffer.alloc(0), truncated: false, durationMs: 0, error: { kind: 'aborted', message: 'interrupted before it was sent' } };
  // One timer for the whole exchange (undici's headers/body timeouts only bound the gaps).
  // A plain AbortController: AbortSignal.any/timeout cost more per request on Node 20.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('timeout', 'TimeoutError')), input.timeoutMs);
  const onAbort = () => controller.abort(input.signal?.reason);
  input.signal?.addEventListener('abort', onAbort, { once: true });
  const timeout = { get aborted() { return controller.signal.aborted && input.signal?.aborted !== true; } };
  const signal = controller.signal;
  try {
    const response = await request(url, {
      method: (input.method ?? 'POST') as Dispatcher.HttpMethod,
      headers: input.headers as Record<string, string>,
      body: input.body,
      headersTimeout: input.timeoutMs,
      bodyTimeout: input.timeoutMs,
      signal,
      ...(input.dispatcher ? { dispatcher: input.dispatcher } : {}),
    });
    const chunks: Buffer[] = [];
    let kept = 0;
    let truncated = false;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      if (kept < max) {
        const part = chunk.subarray(0, max - kept);
        chunks.push(part);
        kept += part.length;
        if (part.length < chunk.length) truncated = true;
      } else {
        truncated = true;
      }
    }
    return {
      ok: response.statusCode >= 200 && response.statusCode < 300,
      status: response.statusCode,
      headers: response.headers as Record<string, string | string[]>,
      body: Buffer.concat(chunks),
      truncated,
      durationMs: clock.monotonic() - started,
    };
  } catch (error) {
    const aborted = input.signal?.aborted === true;
    const err = timeout.aborted && !aborted ? { kind: 'timeout' as const, message: `${url.protocol}//${url.host} did not answer within ${input.timeoutMs} ms` } : classifySendError(error, url, input.timeoutMs, input.signal);
    return { ok: false, headers: {}, body: Buffer.alloc(0), truncated: false, durationMs: clock.monotonic() - started, error: err };
  } finally {
    clearTimeout(timer);
    input.signal?.removeEventListener('abort', onAbort);
  }
}
