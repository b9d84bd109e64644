import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import type { ProviderProfile } from '../providers/types.js';
import type { DeliveryLog } from '../store/delivery-log.js';
import type { DeliverySource, OutcomeRecord, RequestRecord } from '../store/types.js';
import { createForwarder, type Route } from './forward.js';
import { requestHandler, RETRY_AFTER_SECONDS } from './intake.js';
import { deliver, RELAY_BYTES, type Pipeline } from './pipeline.js';

export { matchesPattern, type Route } from './forward.js';
export { senderUrl } from './pipeline.js';

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

const DEFAULT_GUARD = { maxInFlightBytes: 32 * 1024 * 1024, maxConnections: 256, verifiedOnly: false, anyMethod: false } as const;

/** listen's --max-body default. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * The local receiver `listen` runs: each request is read raw (size-capped), verified, appended
 * to the log BEFORE it is forwarded unchanged to the app, and the app's answer is recorded and
 * relayed to the sender (502 when the app is down, 504 when it is too slow). The steps:
 * intake.ts (admit, read the body), pipeline.ts (verify, record, forward, record), forward.ts.
 */
export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const timeoutMs = options.timeoutMs ?? options.profile.timeoutMs;
  /** The whole request (headers and body) must arrive within this (slowloris guard). */
  const requestTimeoutMs = options.requestTimeoutMs ?? timeoutMs + 5_000;
  const guard = { ...DEFAULT_GUARD, ...options.guard };
  let ownUrl = 'http://127.0.0.1';
  const forwarder = createForwarder({ forwardTo: options.forwardTo, routes: options.routes, timeoutMs, maxResponseBytes: RELAY_BYTES, dispatcher: options.dispatcher, clock: options.clock });
  const pipeline: Pipeline = { options, maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, verifiedOnly: guard.verifiedOnly, forwarder, ownUrl: () => ownUrl };
  const capped = new WeakSet<object>();
  const onRequest = requestHandler({ pipeline, maxInFlightBytes: guard.maxInFlightBytes, anyMethod: guard.anyMethod, requestTimeoutMs, capped });
  const server = createServer({ connectionsCheckingInterval: 1000 }, onRequest);
  // `Expect: 100-continue` (curl sends it for large bodies): the headers are checked first, then
  // the body is invited.
  server.on('checkContinue', onRequest);
  guardConnections(server, options, guard.maxConnections, capped);
  // Slow or stuck senders must not hold sockets forever.
  server.requestTimeout = requestTimeoutMs;
  server.headersTimeout = Math.min(20_000, requestTimeoutMs);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  }).catch(async (error: unknown) => {
    await forwarder.close();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  ownUrl = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url: ownUrl,
    port,
    handle: (d) =>
      deliver(pipeline, { method: d.method ?? 'POST', path: d.path ?? '/', headers: d.headers, body: d.tooLarge === undefined ? Buffer.from(d.body) : Buffer.alloc(0), tooLarge: d.tooLarge, source: d.source, ...(d.replayOf ? { replayOf: d.replayOf } : {}) }),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          // Forwards still in flight finish (each within its timeout); nothing waits for them.
          forwarder.close().catch(() => {});
          resolve();
        });
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      })),
  };
}

/** Connections over the cap are answered 503 and closed; malformed requests 400, timed-out ones 408. */
function guardConnections(server: ReturnType<typeof createServer>, options: ReceiverOptions, maxConnections: number, capped: WeakSet<object>): void {
  let connections = 0;
  let overCap = false;
  server.on('connection', (socket) => {
    connections += 1;
    socket.once('close', () => {
      connections -= 1;
      if (overCap && connections < maxConnections) {
        overCap = false;
        options.onProblem?.(`connections back under the cap (--max-connections ${maxConnections}): accepting again`);
      }
    });
    if (connections > maxConnections) {
      if (!overCap) options.onProblem?.(`refusing connections with 503: ${connections - 1} are open (--max-connections ${maxConnections})`);
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
}
