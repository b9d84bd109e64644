import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dispatcher } from 'undici';
import { unixSeconds, type Clock } from '../clock.js';
import { endToEndHeaders } from '../delivery/headers.js';
import { sendRequest } from '../delivery/send.js';
import type { ProviderProfile } from '../providers/types.js';
import { newDeliveryId, type DeliveryLog } from '../store/delivery-log.js';
import type { DeliverySource, OutcomeRecord, RequestRecord, SignatureVerdict } from '../store/types.js';


/** A rule sending matching events to another target (first match wins; `*` matches any run of characters). */
export interface Route {
  readonly pattern: string;
  readonly target: URL;
}

export interface ReceiverOptions {
  readonly profile: ProviderProfile;
  /** Current webhook secret (a function: registration may set it after start). Undefined: verdict "unknown". */
  readonly secret: () => string | undefined;
  /** Default target; the received path is appended to its path. */
  readonly forwardTo: URL;
  readonly routes?: readonly Route[];
  /** Only these event types are forwarded (others are answered 200 and logged as skipped). */
  readonly events?: readonly string[];
  readonly port?: number;
  readonly host?: string;
  /** Bodies over this size are answered 413 and logged (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** Forward timeout (default: the provider's). */
  readonly timeoutMs?: number;
  /** Time allowed to receive a whole request (default: the forward timeout + 5 s). */
  readonly requestTimeoutMs?: number;
  readonly log: DeliveryLog;
  readonly clock: Clock;
  readonly dispatcher?: Dispatcher;
  /** listen's own health probes: answered 204 at once, neither logged nor forwarded. */
  readonly selfCheck?: { readonly header: string; readonly token: string };
  /** How to mark deliveries arriving now (e.g. "catch-up" while listen asks the provider to retry). */
  readonly sourceNow?: () => DeliverySource | undefined;
  /** The URL senders reach this receiver at (the public tunnel URL), for schemes whose signature covers it. Default: the local URL. */
  readonly publicUrl?: () => string | undefined;
  /** Requests too malformed to record (HTTP parse errors), one line each. */
  readonly onProblem?: (message: string) => void;
  /** Called once per delivery, after its outcome is recorded. */
  readonly onDelivery?: (request: RequestRecord, outcome: OutcomeRecord) => void;
}

/** Input for a delivery made inside the session (trigger, replay, resend, self-check). */
export interface LocalDelivery {
  readonly method?: string;
  readonly path?: string;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
  readonly source: DeliverySource;
  readonly replayOf?: string | undefined;
}

export interface Receiver {
  readonly url: string;
  readonly port: number;
  /** Run a delivery through the same path as a received one (verify, record, forward, record). */
  handle(delivery: LocalDelivery): Promise<{ request: RequestRecord; outcome: OutcomeRecord; body: Buffer }>;
  close(): Promise<void>;
}

export function matchesPattern(pattern: string, event: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return regex.test(event);
}

function targetFor(options: ReceiverOptions, event: string | undefined, path: string): URL {
  const route = event === undefined ? undefined : options.routes?.find((r) => matchesPattern(r.pattern, event));
  const base = route?.target ?? options.forwardTo;
  const received = new URL(path, 'http://receiver');
  const url = new URL(base);
  if (received.pathname !== '/') url.pathname = `${url.pathname.replace(/\/$/, '')}${received.pathname}`;
  if (received.search) url.search = received.search;
  return url;
}

function flatHeaders(headers: IncomingMessage['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = value;
  return out;
}


/** The URL a sender used for a received path: the public URL's origin (and base path) + the path. */
export function senderUrl(base: string, path: string): string {
  const url = new URL(base);
  const received = new URL(path, 'http://receiver');
  url.pathname = `${url.pathname.replace(/\/$/, '')}${received.pathname}`;
  url.search = received.search;
  return url.toString();
}

function verdict(options: ReceiverOptions, body: Uint8Array, headers: RequestRecord['headers'], url: string | undefined): SignatureVerdict {
  const secret = options.secret();
  if (!secret) return { state: 'unknown', detail: 'no secret: pass --secret or set the provider’s env var to verify' };
  const result = options.profile.scheme.verify({ body, secret, headers, now: unixSeconds(options.clock), ...(url !== undefined ? { url } : {}) });
  return result.ok ? { state: 'verified' } : { state: 'failed', reason: result.reason, detail: result.detail };
}

function eventOf(profile: ProviderProfile, body: Uint8Array, headers: RequestRecord['headers']): string | undefined {
  const text = Buffer.from(body).toString('utf8');
  try {
    return profile.eventType(JSON.parse(text), headers);
  } catch {
    // Form-encoded bodies (Twilio) are read as a flat object of their parameters.
    const type = headers['content-type'];
    return /^application\/x-www-form-urlencoded/i.test(typeof type === 'string' ? type : '') ? profile.eventType(Object.fromEntries(new URLSearchParams(text)), headers) : undefined;
  }
}

const RELAY_BYTES = 64 * 1024;
const EXCERPT_BYTES = 4096;

/**
 * The local receiver `listen` runs: each request is read raw (size-capped), verified, appended
 * to the log BEFORE it is forwarded unchanged to the app, and the app's answer is recorded and
 * relayed to the sender (502 when the app is down, 504 when it is too slow).
 */
export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const max = options.maxBodyBytes ?? 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? options.profile.timeoutMs;
  /** The whole request (headers and body) must arrive within this (slowloris guard). */
  const requestTimeoutMs = options.requestTimeoutMs ?? timeoutMs + 5_000;
  /** This receiver's own URL, known once it listens (the sender URL when there is no public one). */
  let localUrl = 'http://127.0.0.1';

  async function deliver(input: { method: string; path: string; headers: RequestRecord['headers']; body: Buffer; tooLarge: number | undefined; incomplete?: string; source: DeliverySource; replayOf?: string | undefined }) {
    const { clock, log } = options;
    const event = input.tooLarge === undefined && input.incomplete === undefined ? eventOf(options.profile, input.body, input.headers) : undefined;
    const request: RequestRecord = {
      kind: 'request',
      id: newDeliveryId(clock),
      receivedAt: clock.now(),
      provider: options.profile.name,
      ...(event !== undefined ? { event } : {}),
      method: input.method,
      path: input.path,
      headers: input.headers,
      bodyBase64: input.body.toString('base64'),
      bodySize: input.tooLarge ?? input.body.length,
      signature:
        input.incomplete !== undefined
          ? { state: 'unknown', detail: 'incomplete body: not verified' }
          : input.tooLarge === undefined
            ? verdict(options, input.body, input.headers, options.profile.scheme.coversUrl ? senderUrl(options.publicUrl?.() ?? localUrl, input.path) : undefined)
            : { state: 'unknown', detail: 'body over the size cap: not verified' },
      source: input.source,
      ...(input.replayOf ? { replayOf: input.replayOf } : {}),
    };
    await log.appendRequest(request);
    const target = targetFor(options, event, input.path);
    const base = { kind: 'outcome' as const, id: request.id, target: target.toString() };
    let outcome: OutcomeRecord;
    let relay: Buffer = Buffer.alloc(0);
    if (input.incomplete !== undefined) {
      outcome = { ...base, at: clock.now(), durationMs: 0, answered: 408, skipped: input.incomplete };
    } else if (input.tooLarge !== undefined) {
      outcome = { ...base, at: clock.now(), durationMs: 0, answered: 413, skipped: `body of ${input.tooLarge} bytes is over the ${max}-byte cap` };
      relay = Buffer.from(`${JSON.stringify({ error: outcome.skipped })}\n`);
    } else if (options.events && options.events.length > 0 && !(event !== undefined && options.events.some((p) => matchesPattern(p, event)))) {
      outcome = { ...base, at: clock.now(), durationMs: 0, answered: 200, skipped: `event ${event ?? '(unknown)'} is not in --events` };
      relay = Buffer.from('{"skipped":true}\n');
    } else {
      const result = await sendRequest(
        { url: target, method: input.method, headers: endToEndHeaders(input.headers), body: input.body, timeoutMs, maxResponseBytes: RELAY_BYTES, ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}) },
        clock,
      );
      const answered = result.status ?? (result.error?.kind === 'timeout' ? 504 : 502);
      relay = result.status !== undefined ? result.body : Buffer.from(`${JSON.stringify({ error: result.error?.message })}\n`);
      outcome = {
        ...base,
        at: clock.now(),
        ...(result.status !== undefined ? { status: result.status, headers: result.headers, bodyExcerptBase64: result.body.subarray(0, EXCERPT_BYTES).toString('base64') } : {}),
        durationMs: Math.round(result.durationMs * 10) / 10,
        ...(result.error ? { error: result.error } : {}),
        answered,
      };
    }
    // Record the app's answer before answering the sender (design.md steps 5 and 6), so every
    // answered delivery has its outcome in the log even if the process is killed right after.
    await log.appendOutcome(outcome);
    options.onDelivery?.(request, outcome);
    return { request, outcome, body: relay };
  }

  // Check request timeouts every second (Node checks every 30 s by default).
  const server = createServer({ connectionsCheckingInterval: 1000 }, (req: IncomingMessage, res: ServerResponse) => {
    if (options.selfCheck && req.headers[options.selfCheck.header] === options.selfCheck.token) {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
    });
    let ended = false;
    // A sender that stops mid-body (or is cut off by the request timeout) is logged, not lost.
    req.on('close', () => {
      if (ended) return;
      void deliver({
        method: req.method ?? 'POST',
        path: req.url ?? '/',
        headers: flatHeaders(req.headers),
        body: Buffer.concat(chunks),
        tooLarge: undefined,
        incomplete: `the sender did not finish the body (${size} bytes received before the connection closed or the ${requestTimeoutMs / 1000} s request timeout)`,
        source: 'provider',
      }).catch(() => {});
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      ended = true;
      deliver({
        method: req.method ?? 'POST',
        path: req.url ?? '/',
        headers: flatHeaders(req.headers),
        body: size <= max ? Buffer.concat(chunks) : Buffer.alloc(0),
        tooLarge: size <= max ? undefined : size,
        source: options.sourceNow?.() ?? 'provider',
      }).then(
        ({ outcome, body }) => {
          const type = outcome.headers?.['content-type'];
          res.writeHead(outcome.answered, typeof type === 'string' ? { 'content-type': type } : { 'content-type': 'application/json' }).end(body);
        },
        () => {
          // The log could not be written: say so, so the provider retries later.
          if (!res.headersSent) res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"webhook listen could not record the delivery"}\n');
        },
      );
    });
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    options.onProblem?.(`rejected a malformed HTTP request (${error.code ?? error.message}); the receiver keeps serving`);
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  // Slow or stuck senders must not hold sockets forever.
  server.requestTimeout = requestTimeoutMs;
  server.headersTimeout = Math.min(20_000, requestTimeoutMs);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  localUrl = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    handle: (d) =>
      deliver({ method: d.method ?? 'POST', path: d.path ?? '/', headers: d.headers, body: Buffer.from(d.body), tooLarge: undefined, source: d.source, replayOf: d.replayOf }),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      })),
  };
}
