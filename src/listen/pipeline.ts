import { unixSeconds } from '../clock.js';
import { endToEndHeaders } from '../delivery/headers.js';
import { newDeliveryId } from '../store/delivery-log.js';
import { withEncodedBody } from '../store/record-line.js';
import type { DeliverySource, OutcomeRecord, RequestRecord, SignatureVerdict } from '../store/types.js';
import { deliveryFields, type DeliveryFields } from './delivery-fields.js';
import { matchesPattern, type Forwarder, type ForwardTarget } from './forward.js';
import type { ReceiverOptions } from './receiver-options.js';

/** A delivery as it reaches the pipeline: received over HTTP, or made inside the session. */
export interface Arrival {
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

/** What a delivery came to: both records, and the body to answer the sender with. */
export interface Delivered {
  request: RequestRecord;
  outcome: OutcomeRecord;
  body: Buffer;
}

/** What the pipeline steps share: the receiver's options, resolved. */
export interface Pipeline {
  readonly options: ReceiverOptions;
  readonly maxBodyBytes: number;
  readonly verifiedOnly: boolean;
  readonly forwarder: Forwarder;
  /** The receiver's own URL (senders' URL when there is no public one). */
  readonly ownUrl: () => string;
}

const NO_FIELDS: DeliveryFields = { event: undefined, messageId: undefined };
export const RELAY_BYTES = 64 * 1024;
export const EXCERPT_BYTES = 4096;
const errorBody = (message: string) => Buffer.from(`${JSON.stringify({ error: message })}\n`);

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

function verdict(p: Pipeline, input: Arrival): SignatureVerdict {
  if (input.refused !== undefined) return { state: 'unknown', detail: 'refused before reading the body: not verified' };
  if (input.incomplete !== undefined) return { state: 'unknown', detail: 'incomplete body: not verified' };
  if (input.tooLarge !== undefined) return { state: 'unknown', detail: 'body over the size cap: not verified' };
  const { options } = p;
  const secret = options.secret();
  if (!secret) return { state: 'unknown', detail: 'no secret: pass --secret or set the provider’s env var to verify' };
  const url = options.profile.scheme.usesUrl ? safeSenderUrl(options.publicUrl?.() ?? p.ownUrl(), input.path) : undefined;
  const result = options.profile.scheme.verify({ body: input.body, secret, headers: input.headers, now: unixSeconds(options.clock), url, method: input.method });
  return result.ok ? { state: 'verified' } : { state: 'failed', reason: result.reason, detail: result.detail };
}

/**
 * Step: the request record, appended before anything is forwarded. Optional fields a delivery
 * lacks are undefined (JSON leaves them out): one shape for every record, no copies.
 */
function requestRecord(p: Pipeline, input: Arrival, { event, messageId }: DeliveryFields): RequestRecord {
  const { clock, profile } = p.options;
  return withEncodedBody(
    {
      kind: 'request',
      id: newDeliveryId(clock),
      messageId,
      receivedAt: clock.now(),
      provider: profile.name,
      event,
      method: input.method,
      path: input.path,
      headers: input.headers,
      bodySize: input.tooLarge ?? input.incomplete?.receivedBytes ?? input.refused?.receivedBytes ?? input.body.length,
      signature: verdict(p, input),
      source: input.source,
      replayOf: input.replayOf || undefined,
    },
    input.body,
  );
}

/** Step: a delivery answered without forwarding, with the status, why and the answer's body; undefined: forward it. */
function notForwarded(p: Pipeline, input: Arrival, request: RequestRecord, event: string | undefined): { answered: number; skipped: string; relay: Buffer } | undefined {
  const { events } = p.options;
  if (input.refused !== undefined) return { answered: input.refused.answered, skipped: input.refused.reason, relay: errorBody(input.refused.reason) };
  if (input.incomplete !== undefined) return { answered: 408, skipped: input.incomplete.reason, relay: Buffer.alloc(0) };
  if (input.tooLarge !== undefined) {
    const skipped = `body of ${input.tooLarge} bytes is over the ${p.maxBodyBytes}-byte cap (listen --max-body)`;
    return { answered: 413, skipped, relay: errorBody(skipped) };
  }
  if (p.verifiedOnly && request.signature.state !== 'verified' && (input.source === 'provider' || input.source === 'catch-up')) {
    const why = request.signature.state === 'failed' ? request.signature.detail : 'the signature could not be checked (no secret)';
    return { answered: 401, skipped: `not forwarded (--verified-only): ${why}`, relay: Buffer.from('{"error":"signature not verified"}\n') };
  }
  if (events && events.length > 0 && !(event !== undefined && events.some((pattern) => matchesPattern(pattern, event)))) {
    return { answered: 200, skipped: `event ${event ?? '(unknown)'} is not in --events`, relay: Buffer.from('{"skipped":true}\n') };
  }
  return undefined;
}

/** Step: forward to the app and record what it answered. */
async function forward(p: Pipeline, input: Arrival, id: string, target: ForwardTarget): Promise<{ outcome: OutcomeRecord; relay: Buffer }> {
  const headers = endToEndHeaders(input.headers, input.peer);
  const result = await p.forwarder.send(target, { method: input.method, headers, body: input.body });
  const answered = result.status ?? (result.error?.kind === 'timeout' ? 504 : 502);
  // The sender may be anyone on the internet: say what happened, not where the app lives
  // (the full error is in the log).
  const relay = result.status !== undefined ? result.body : errorBody(answered === 504 ? 'the app did not answer in time' : 'the app could not be reached');
  const status = result.status;
  const outcome: OutcomeRecord = {
    kind: 'outcome',
    id,
    target: target.href,
    at: p.options.clock.now(),
    status,
    headers: status !== undefined ? result.headers : undefined,
    bodyExcerptBase64: status !== undefined ? result.body.subarray(0, EXCERPT_BYTES).toString('base64') : undefined,
    durationMs: Math.round(result.durationMs * 10) / 10,
    error: result.error,
    answered,
  };
  return { outcome, relay };
}

/**
 * One delivery through the pipeline: read its fields, verify, record the request, forward (or
 * not), record the outcome, and hand back what to answer. The outcome is recorded before the
 * sender is answered (design.md steps 5 and 6), so every answered delivery has its outcome in
 * the log even if the process is killed right after.
 */
export async function deliver(p: Pipeline, input: Arrival): Promise<Delivered> {
  const { clock, log, forwardTo } = p.options;
  const whole = input.tooLarge === undefined && input.incomplete === undefined && input.refused === undefined;
  const fields = input.tooLarge === undefined ? deliveryFields(p.options.profile, input.body, input.headers, whole) : NO_FIELDS;
  const request = requestRecord(p, input, fields);
  await log.appendRequest(request);
  const target = p.forwarder.target(fields.event, input.path);
  let done: { outcome: OutcomeRecord; relay: Buffer };
  if (target === undefined) {
    // A request target that is not a path (e.g. `POST http://[ HTTP/1.1`): recorded and refused.
    const skipped = `the request target ${JSON.stringify(input.path.slice(0, 200))} is not a valid path`;
    done = { outcome: { kind: 'outcome', id: request.id, target: forwardTo.toString(), at: clock.now(), durationMs: 0, answered: 400, skipped }, relay: errorBody('invalid request target') };
  } else {
    const skip = notForwarded(p, input, request, fields.event);
    done = skip
      ? { outcome: { kind: 'outcome', id: request.id, target: target.href, at: clock.now(), durationMs: 0, answered: skip.answered, skipped: skip.skipped }, relay: skip.relay }
      : await forward(p, input, request.id, target);
  }
  await log.appendOutcome(done.outcome);
  p.options.onDelivery?.(request, done.outcome);
  return { request, outcome: done.outcome, body: done.relay };
}
