import type { IncomingMessage, ServerResponse } from 'node:http';
import { peerAddress } from '../delivery/source-address.js';
import { deliver, EXCERPT_BYTES, type Arrival, type Delivered, type Pipeline } from './pipeline.js';

export const RETRY_AFTER_SECONDS = '5';
const COULD_NOT_RECORD = '{"error":"webhook listen could not record the delivery"}\n';

/** What the intake lets through before a request reaches the pipeline. */
export interface Intake {
  readonly pipeline: Pipeline;
  readonly maxInFlightBytes: number;
  readonly anyMethod: boolean;
  readonly requestTimeoutMs: number;
  /** Connections answered 503 for being over the cap: nothing they send is handled. */
  readonly capped: WeakSet<object>;
}

/**
 * The request's headers as they are recorded: node's own object, not a copy (its values are a
 * string, or a list for set-cookie; never undefined, whatever its type says).
 */
const recordedHeaders = (headers: IncomingMessage['headers']) => headers as Record<string, string | string[]>;

const busy = (maxInFlightBytes: number) => `the receiver is at its memory budget (--max-in-flight ${maxInFlightBytes} bytes of bodies): retry later`;

/** Record a request answered without forwarding, then answer it and close the connection. */
function refuse(p: Pipeline, req: IncomingMessage, res: ServerResponse, arrival: Omit<Arrival, 'body' | 'tooLarge' | 'source'> & { tooLarge?: number }, extraHeaders: Record<string, string> = {}) {
  req.resume(); // discard whatever is still coming; nothing more is held
  const answer = (status: number, body: Buffer | string) => {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': 'application/json', connection: 'close', ...extraHeaders }).end(body);
  };
  deliver(p, { ...arrival, body: Buffer.alloc(0), tooLarge: arrival.tooLarge, source: 'provider' }).then(
    ({ outcome, body }) => answer(outcome.answered, body),
    (error: unknown) => {
      p.options.onProblem?.(`could not record a refused request (${error instanceof Error ? error.message : String(error)})`);
      answer(503, COULD_NOT_RECORD);
    },
  );
}

/** Step: what can be decided from the headers, before reading (or inviting) a body. True: go on. */
function admit(intake: Intake, inFlightBytes: number, req: IncomingMessage, res: ServerResponse, head: Pick<Arrival, 'method' | 'path' | 'headers'>): boolean {
  const p = intake.pipeline;
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > p.maxBodyBytes) {
    refuse(p, req, res, { ...head, tooLarge: declared });
    return false;
  }
  if ((Number.isFinite(declared) ? declared : 0) + inFlightBytes > intake.maxInFlightBytes) {
    refuse(p, req, res, { ...head, refused: { answered: 503, reason: busy(intake.maxInFlightBytes), receivedBytes: 0 } }, { 'retry-after': RETRY_AFTER_SECONDS });
    return false;
  }
  return true;
}

/** Step: answer the sender with what the delivery came to (503 when it could not be recorded), then `done`. */
function answer(p: Pipeline, res: ServerResponse, delivered: Promise<Delivered>, done: () => void): void {
  delivered.then(
    ({ outcome, body }) => {
      done();
      const type = outcome.headers?.['content-type'];
      const headers: Record<string, string> = { 'content-type': typeof type === 'string' ? type : 'application/json' };
      if (outcome.answered === 405 && outcome.skipped) headers.allow = 'POST';
      res.writeHead(outcome.answered, headers).end(body);
    },
    (error: unknown) => {
      done();
      // The log could not be written: not forwarded, and the sender is told to retry later.
      p.options.onProblem?.(`could not record a delivery (${error instanceof Error ? error.message : String(error)}): answered 503, not forwarded`);
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'application/json', 'retry-after': RETRY_AFTER_SECONDS }).end(COULD_NOT_RECORD);
    },
  );
}

/**
 * The HTTP request handler: admit, read the body (size-capped, within the memory budget), then
 * run it through the pipeline and answer. Bodies held at once are counted across requests.
 */
export function requestHandler(intake: Intake): (req: IncomingMessage, res: ServerResponse) => void {
  const p = intake.pipeline;
  const { selfCheck } = p.options;
  const state = { inFlightBytes: 0 };
  return (req, res) => {
    if (intake.capped.has(req.socket)) {
      req.resume();
      return;
    }
    if (selfCheck && req.headers[selfCheck.header] === selfCheck.token) {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
      return;
    }
    const head = { method: req.method ?? 'POST', path: req.url ?? '/', headers: recordedHeaders(req.headers) };
    if (!admit(intake, state.inFlightBytes, req, res, head)) return;
    if (/100-continue/i.test(req.headers.expect ?? '')) res.writeContinue();
    readBody(intake, state, req, res, head);
  };
}

/** Step: read the body, then deliver it (or record what came of a sender that stopped or went over the budget). */
function readBody(intake: Intake, state: { inFlightBytes: number }, req: IncomingMessage, res: ServerResponse, head: Pick<Arrival, 'method' | 'path' | 'headers'>): void {
  const p = intake.pipeline;
  const max = p.maxBodyBytes;
  const chunks: Buffer[] = [];
  let size = 0;
  let held = 0;
  let settled = false;
  const release = () => {
    state.inFlightBytes -= held;
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
    if (state.inFlightBytes + chunk.length > intake.maxInFlightBytes) {
      // Over the budget mid-body: drop what this request holds and refuse it.
      settled = true;
      release();
      chunks.length = 0;
      refuse(p, req, res, { ...head, refused: { answered: 503, reason: busy(intake.maxInFlightBytes), receivedBytes: size } }, { 'retry-after': RETRY_AFTER_SECONDS });
      return;
    }
    chunks.push(chunk);
    held += chunk.length;
    state.inFlightBytes += chunk.length;
  });
  // A sender that stops mid-body (or is cut off by the request timeout) is logged with its
  // size and first bytes, not lost, and not kept whole.
  req.on('close', () => {
    if (settled) return;
    settled = true;
    const excerpt = Buffer.from(Buffer.concat(chunks).subarray(0, EXCERPT_BYTES));
    release();
    const reason = `the sender did not finish the body (${size} bytes received before the connection closed or the ${intake.requestTimeoutMs / 1000} s request timeout)`;
    deliver(p, { ...head, body: excerpt, tooLarge: undefined, incomplete: { reason, receivedBytes: size }, source: 'provider' }).catch(() => {});
  });
  req.on('error', () => res.destroy());
  req.on('end', () => {
    if (settled) return;
    settled = true;
    const body = size > max ? Buffer.alloc(0) : Buffer.concat(chunks);
    chunks.length = 0;
    const refused = !intake.anyMethod && head.method !== 'POST' && size <= max;
    const arrival: Arrival = {
      method: head.method,
      path: head.path,
      headers: head.headers,
      body,
      tooLarge: size <= max ? undefined : size,
      refused: refused ? { answered: 405, reason: `method ${head.method} is not forwarded: webhooks are POSTs (pass --any-method to forward it)`, receivedBytes: size } : undefined,
      source: p.options.sourceNow?.() ?? 'provider',
      peer: peerAddress(req.socket.remoteAddress),
    };
    answer(p, res, deliver(p, arrival), release);
  });
}
