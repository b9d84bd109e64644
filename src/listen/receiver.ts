import type { Server } from 'node:http';
import { startHttpServer } from '../http/server.js';
import type { DeliverySource, OutcomeRecord, RequestRecord } from '../store/types.js';
import { createForwarder } from './forward.js';
import { requestHandler, RETRY_AFTER_SECONDS } from './intake.js';
import { deliver, RELAY_BYTES, type Pipeline } from './pipeline.js';
import type { ReceiverOptions } from './receiver-options.js';

export { matchesPattern, type Route } from './forward.js';
export { senderUrl } from './pipeline.js';
export type { ReceiverOptions } from './receiver-options.js';

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
  const http = await startHttpServer(onRequest, {
    port: options.port,
    host: options.host,
    server: { connectionsCheckingInterval: 1000 },
    setUp: (server) => {
      // `Expect: 100-continue` (curl sends it for large bodies): the headers are checked first,
      // then the body is invited.
      server.on('checkContinue', onRequest);
      guardConnections(server, options, guard.maxConnections, capped);
      // Slow or stuck senders must not hold sockets forever.
      server.requestTimeout = requestTimeoutMs;
      server.headersTimeout = Math.min(20_000, requestTimeoutMs);
    },
    // Deliveries in progress get 2 s to finish; forwards still in flight finish within their timeout.
    graceMs: 2000,
  }).catch(async (error: unknown) => {
    await forwarder.close();
    throw error;
  });
  ownUrl = `http://127.0.0.1:${http.port}`;
  let closing: Promise<void> | undefined;
  return {
    url: ownUrl,
    port: http.port,
    handle: (d) =>
      deliver(pipeline, { method: d.method ?? 'POST', path: d.path ?? '/', headers: d.headers, body: d.tooLarge === undefined ? Buffer.from(d.body) : Buffer.alloc(0), tooLarge: d.tooLarge, source: d.source, ...(d.replayOf ? { replayOf: d.replayOf } : {}) }),
    close: () =>
      (closing ??= http.close().then(() => {
        // Nothing waits for forwards still in flight.
        forwarder.close().catch(() => {});
      })),
  };
}

/** Connections over the cap are answered 503 and closed; malformed requests 400, timed-out ones 408. */
function guardConnections(server: Server, options: ReceiverOptions, maxConnections: number, capped: WeakSet<object>): void {
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
