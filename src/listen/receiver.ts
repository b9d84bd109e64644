import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dispatcher } from 'undici';
import { unixSeconds, type Clock } from '../clock.js';
import { endToEndHeaders } from '../delivery/headers.js';
import { sendRequest } from '../delivery/send.js';
import { peerAddress, withForwardedFor } from '../delivery/source-address.js';
import type { ProviderProfile } from '../providers/types.js';
import { deliveryFields, type DeliveryFields } from './delivery-fields.js';
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
  /** What the public receiver accepts (memory and connection budget, methods, verdicts). */
  readonly guard?: ReceiverGuard;
}

/** What the receiver lets through; it is on the internet behind the tunnel. */
export interface ReceiverGuard {
  /**
   * Request bodies held in memory at once, across all requests, until each is forwarded and
   * recorded (default 32 MiB). A request that would go over it is answered 503 with Retry-After
   * (providers retry) and logged without its body.
   */
  readonly maxInFlightBytes?: number;
  /** Open connections at once (default 256); a connection over it is answered 503 and closed. */
  readonly maxConnections?: number;
  /** Forward only deliveries whose signature verified; others are answered 401 and logged (default false). */
  readonly verifiedOnly?: boolean;
  /** Forward any method; by default only POST is, others are answered 405 and logged (default false). */
  readonly anyMethod?: boolean;
}

const DEFAULT_GUARD = { maxInFlightBytes: 32 * 1024 * 1024, maxConnections: 256, verifiedOnly: false, anyMethod: false } as const;
const RETRY_AFTER_SECONDS = '5';

/** Input for a delivery made inside the session (trigger, replay, resend, self-check). */
export interface LocalDelivery {
  readonly method?: string;
  readonly path?: string;
  readonly headers: RequestRecord['headers'];
  readonly body: Uint8Array;
  readonly source: DeliverySource;
  readonly replayOf?: string | undefined;
  /** The body was refused unread for its size (this many bytes): recorded and answered 413 like a received one. */
  readonly tooLarge?: number | undefined;
}

export interface Receiver {
  readonly url: string;
  readonly port: number;
  /** Run a delivery through the same path as a received one (verify, record, forward, record). */
  handle(delivery: LocalDelivery): Promise<{ request: RequestRecord; outcome: OutcomeRecord; body: Buffer }>;
  close(): Promise<void>;
}

/**
 * `*` matches any run of characters, everything else itself. Linear in the event's length for
 * any pattern (a regular expression of several `.*` backtracks: a long hostile event name must
 * not block the receiver).
 */
export function matchesPattern(pattern: string, event: string): boolean {
  let p = 0;
  let e = 0;
  let star = -1;
  let resume = 0;
  while (e < event.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = e;
    } else if (p < pattern.length && pattern[p] === event[e]) {
      p++;
      e++;
    } else if (star >= 0) {
      p = star + 1;
      e = ++resume;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
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

/** senderUrl, or undefined for a request target that is not a path (recorded and refused later). */
function safeSenderUrl(base: string, path: string): string | undefined {
  try {
    return senderUrl(base, path);
  } catch {
    return undefined;
  }
}

function verdict(options: ReceiverOptions, body: Uint8Array, headers: RequestRecord['headers'], at: { url: string | undefined; method: string }): SignatureVerdict {
  const secret = options.secret();
  if (!secret) return { state: 'unknown', detail: 'no secret: pass --secret or set the provider’s env var to verify' };
  const result = options.profile.scheme.verify({ body, secret, headers, now: unixSeconds(options.clock), url: at.url, method: at.method });
  return result.ok ? { state: 'verified' } : { state: 'failed', reason: result.reason, detail: result.detail };
}

const NO_FIELDS: DeliveryFields = { event: undefined, messageId: undefined };
const RELAY_BYTES = 64 * 1024;
const EXCERPT_BYTES = 4096;

/**
 * The local receiver `listen` runs: each request is read raw (size-capped), verified, appended
 * to the log BEFORE it is forwarded unchanged to the app, and the app's answer is recorded and
 * relayed to the sender (502 when the app is down, 504 when it is too slow).
 */
/** listen's --max-body default. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const max = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const timeoutMs = options.timeoutMs ?? options.profile.timeoutMs;
  /** The whole request (headers and body) must arrive within this (slowloris guard). */
  const requestTimeoutMs = options.requestTimeoutMs ?? timeoutMs + 5_000;
  let ownUrl = 'http://127.0.0.1';

  const guard = { ...DEFAULT_GUARD, ...options.guard };

  interface Arrival {
    method: string;
    path: string;
    headers: RequestRecord['headers'];
    body: Buffer;
    tooLarge: number | undefined;
    /** The body did not arrive whole: `body` is its first bytes, `receivedBytes` how many came. */
    incomplete?: { reason: string; receivedBytes: number };
    /** Answered without forwarding (budget, method): the status and why. */
    refused?: { answered: number; reason: string; receivedBytes: number };
    source: DeliverySource;
    replayOf?: string | undefined;
    /** The address the request came from; the forwarded request names it in X-Forwarded-For (none for local deliveries). */
    peer?: string | undefined;
  }

  async function deliver(input: Arrival) {
    const { clock, log } = options;
    const whole = input.tooLarge === undefined && input.incomplete === undefined && input.refused === undefined;
    const { event, messageId } = input.tooLarge === undefined ? deliveryFields(options.profile, input.body, input.headers, whole) : NO_FIELDS;
    const request: RequestRecord = {
      kind: 'request',
      id: newDeliveryId(clock),
      ...(messageId !== undefined ? { messageId } : {}),
      receivedAt: clock.now(),
      provider: options.profile.name,
      ...(event !== undefined ? { event } : {}),
      method: input.method,
      path: input.path,
      headers: input.headers,
      bodyBase64: input.body.toString('base64'),
      bodySize: input.tooLarge ?? input.incomplete?.receivedBytes ?? input.refused?.receivedBytes ?? input.body.length,
      signature:
        input.refused !== undefined
          ? { state: 'unknown', detail: 'refused before reading the body: not verified' }
          : input.incomplete !== undefined
            ? { state: 'unknown', detail: 'incomplete body: not verified' }
            : input.tooLarge === undefined
              ? verdict(options, input.body, input.headers, { url: options.profile.scheme.usesUrl ? safeSenderUrl(options.publicUrl?.() ?? ownUrl, input.path) : undefined, method: input.method })
              : { state: 'unknown', detail: 'body over the size cap: not verified' },
      source: input.source,
      ...(input.replayOf ? { replayOf: input.replayOf } : {}),
    };
    await log.appendRequest(request);
    let target: URL;
    try {
      target = targetFor(options, event, input.path);
    } catch {
      // A request target that is not a path (e.g. `POST http://[ HTTP/1.1`): recorded and refused.
      const outcome: OutcomeRecord = { kind: 'outcome', id: request.id, target: options.forwardTo.toString(), at: clock.now(), durationMs: 0, answered: 400, skipped: `the request target ${JSON.stringify(input.path.slice(0, 200))} is not a valid path` };
      await log.appendOutcome(outcome);
      options.onDelivery?.(request, outcome);
      return { request, outcome, body: Buffer.from(`${JSON.stringify({ error: 'invalid request target' })}\n`) };
    }
    const base = { kind: 'outcome' as const, id: request.id, target: target.toString() };
    let outcome: OutcomeRecord;
    let relay: Buffer = Buffer.alloc(0);
    if (input.refused !== undefined) {
      outcome = { ...base, at: clock.now(), durationMs: 0, answered: input.refused.answered, skipped: input.refused.reason };
      relay = Buffer.from(`${JSON.stringify({ error: input.refused.reason })}\n`);
    } else if (input.incomplete !== undefined) {
      outcome = { ...base, at: clock.now(), durationMs: 0, answered: 408, skipped: input.incomplete.reason };
    } else if (input.tooLarge !== undefined) {
      outcome = { ...base, at: clock.now(), durationMs: 0, answered: 413, skipped: `body of ${input.tooLarge} bytes is over the ${max}-byte cap (listen --max-body)` };
      relay = Buffer.from(`${JSON.stringify({ error: outcome.skipped })}\n`);
    } else if (guard.verifiedOnly && request.signature.state !== 'verified' && (input.source === 'provider' || input.source === 'catch-up')) {
      const why = request.signature.state === 'failed' ? request.signature.detail : 'the signature could not be checked (no secret)';
      outcome = { ...base, at: clock.now(), durationMs: 0, answered: 401, skipped: `not forwarded (--verified-only): ${why}` };
      relay = Buffer.from('{"error":"signature not verified"}\n');
    } else if (options.events && options.events.length > 0 && !(event !== undefined && options.events.some((p) => matchesPattern(p, event)))) {
      outcome = { ...base, at: clock.now(), durationMs: 0, answered: 200, skipped: `event ${event ?? '(unknown)'} is not in --events` };
      relay = Buffer.from('{"skipped":true}\n');
    } else {
      const result = await sendRequest(
        { url: target, method: input.method, headers: input.peer ? withForwardedFor(endToEndHeaders(input.headers), input.peer) : endToEndHeaders(input.headers), body: input.body, timeoutMs, maxResponseBytes: RELAY_BYTES, ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}) },
        clock,
      );
      const answered = result.status ?? (result.error?.kind === 'timeout' ? 504 : 502);
      // The sender may be anyone on the internet: say what happened, not where the app lives
      // (the full error is in the log).
      relay = result.status !== undefined ? result.body : Buffer.from(`${JSON.stringify({ error: answered === 504 ? 'the app did not answer in time' : 'the app could not be reached' })}\n`);
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

  let inFlightBytes = 0;
  const busy = (what: string) => `the receiver is at its ${what}: retry later`;

  /** Record a request answered without forwarding, then answer it and close the connection. */
  function refuse(req: IncomingMessage, res: ServerResponse, arrival: Omit<Arrival, 'body' | 'tooLarge' | 'source'> & { tooLarge?: number }, extraHeaders: Record<string, string> = {}) {
    req.resume(); // discard whatever is still coming; nothing more is held
    const answer = (status: number, body: Buffer) => {
      if (res.headersSent) return;
      res.writeHead(status, { 'content-type': 'application/json', connection: 'close', ...extraHeaders }).end(body);
    };
    deliver({ ...arrival, body: Buffer.alloc(0), tooLarge: arrival.tooLarge, source: 'provider' }).then(
      ({ outcome, body }) => answer(outcome.answered, body),
      (error: unknown) => {
        options.onProblem?.(`could not record a refused request (${error instanceof Error ? error.message : String(error)})`);
        answer(503, Buffer.from('{"error":"webhook listen could not record the delivery"}\n'));
      },
    );
  }

  /** Connections answered 503 for being over the cap: nothing they send is handled. */
  const capped = new WeakSet<object>();

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (capped.has(req.socket)) {
      req.resume();
      return;
    }
    if (options.selfCheck && req.headers[options.selfCheck.header] === options.selfCheck.token) {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
      return;
    }
    const method = req.method ?? 'POST';
    const path = req.url ?? '/';
    const headers = flatHeaders(req.headers);
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    // Decide what can be decided from the headers before reading (or inviting, with
    // `Expect: 100-continue`) a body.
    if (declared > max) {
      refuse(req, res, { method, path, headers, tooLarge: declared });
      return;
    }
    if ((Number.isFinite(declared) ? declared : 0) + inFlightBytes > guard.maxInFlightBytes) {
      const reason = busy(`memory budget (--max-in-flight ${guard.maxInFlightBytes} bytes of bodies)`);
      refuse(req, res, { method, path, headers, refused: { answered: 503, reason, receivedBytes: 0 } }, { 'retry-after': RETRY_AFTER_SECONDS });
      return;
    }
    if (/100-continue/i.test(req.headers.expect ?? '')) res.writeContinue();

    const chunks: Buffer[] = [];
    let size = 0;
    let held = 0;
    let settled = false;
    const release = () => {
      inFlightBytes -= held;
      held = 0;
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > max) {
        release();
        chunks.length = 0;
        return;
      }
      if (inFlightBytes + chunk.length > guard.maxInFlightBytes) {
        // Over the budget mid-body: drop what this request holds and refuse it.
        settled = true;
        release();
        chunks.length = 0;
        const reason = busy(`memory budget (--max-in-flight ${guard.maxInFlightBytes} bytes of bodies)`);
        refuse(req, res, { method, path, headers, refused: { answered: 503, reason, receivedBytes: size } }, { 'retry-after': RETRY_AFTER_SECONDS });
        return;
      }
      chunks.push(chunk);
      held += chunk.length;
      inFlightBytes += chunk.length;
    });
    // A sender that stops mid-body (or is cut off by the request timeout) is logged with its
    // size and first bytes, not lost, and not kept whole.
    req.on('close', () => {
      if (settled) return;
      settled = true;
      const excerpt = Buffer.concat(chunks).subarray(0, EXCERPT_BYTES);
      release();
      void deliver({
        method,
        path,
        headers,
        body: Buffer.from(excerpt),
        tooLarge: undefined,
        incomplete: { reason: `the sender did not finish the body (${size} bytes received before the connection closed or the ${requestTimeoutMs / 1000} s request timeout)`, receivedBytes: size },
        source: 'provider',
      }).catch(() => {});
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (settled) return;
      settled = true;
      const body = size <= max ? Buffer.concat(chunks) : Buffer.alloc(0);
      chunks.length = 0;
      const notPost = !guard.anyMethod && method !== 'POST';
      deliver({
        method,
        path,
        headers,
        body,
        tooLarge: size <= max ? undefined : size,
        ...(notPost && size <= max ? { refused: { answered: 405, reason: `method ${method} is not forwarded: webhooks are POSTs (pass --any-method to forward it)`, receivedBytes: size } } : {}),
        source: options.sourceNow?.() ?? 'provider',
        peer: peerAddress(req.socket.remoteAddress),
      })
        .then(
          ({ outcome, body: relay }) => {
            const type = outcome.headers?.['content-type'];
            res.writeHead(outcome.answered, {
              'content-type': typeof type === 'string' ? type : 'application/json',
              ...(outcome.answered === 405 && outcome.skipped ? { allow: 'POST' } : {}),
            }).end(relay);
          },
          (error: unknown) => {
            // The log could not be written: not forwarded, and the sender is told to retry later.
            options.onProblem?.(`could not record a delivery (${error instanceof Error ? error.message : String(error)}): answered 503, not forwarded`);
            if (!res.headersSent) res.writeHead(503, { 'content-type': 'application/json', 'retry-after': RETRY_AFTER_SECONDS }).end('{"error":"webhook listen could not record the delivery"}\n');
          },
        )
        .finally(release);
    });
  };

  // Check request timeouts every second (Node checks every 30 s by default).
  const server = createServer({ connectionsCheckingInterval: 1000 }, onRequest);
  // `Expect: 100-continue` (curl sends it for large bodies): the headers are checked first, then
  // the body is invited.
  server.on('checkContinue', onRequest);
  let connections = 0;
  let overCap = false;
  server.on('connection', (socket) => {
    connections += 1;
    socket.once('close', () => {
      connections -= 1;
      if (overCap && connections < guard.maxConnections) {
        overCap = false;
        options.onProblem?.(`connections back under the cap (--max-connections ${guard.maxConnections}): accepting again`);
      }
    });
    if (connections > guard.maxConnections) {
      if (!overCap) options.onProblem?.(`refusing connections with 503: ${connections - 1} are open (--max-connections ${guard.maxConnections})`);
      overCap = true;
      capped.add(socket);
      socket.write(`HTTP/1.1 503 Service Unavailable\r\nretry-after: ${RETRY_AFTER_SECONDS}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`, () => socket.destroy());
    }
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    // Node reports its own request timeout here too: answer 408, as the log records it (the
    // delivery is logged as incomplete, so no warning).
    const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    if (!timedOut) options.onProblem?.(`rejected a malformed HTTP request (${error.code ?? error.message}); the receiver keeps serving`);
    const status = timedOut ? '408 Request Timeout' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
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
  ownUrl = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url: ownUrl,
    port,
    handle: (d) =>
      deliver({ method: d.method ?? 'POST', path: d.path ?? '/', headers: d.headers, body: d.tooLarge === undefined ? Buffer.from(d.body) : Buffer.alloc(0), tooLarge: d.tooLarge, source: d.source, ...(d.replayOf ? { replayOf: d.replayOf } : {}) }),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      })),
  };
}
