import type { z } from 'zod';
import { SEND_ERROR_KINDS, type DeliveryOutcome, type SendOutcome } from './send-outcome.js';

/*
 * What a running `listen` session and the commands that use it (trigger, resend) say to each
 * other: the session file's shape, the control endpoint's request and answers, its headers.
 * A leaf module: listen writes these, delivery and the commands read them, neither imports the other.
 */

/**
 * A running `listen` session, written to <store>/session.json (mode 0600) while it runs and
 * removed on exit. It never holds a webhook secret: `trigger` asks the session to sign and
 * inject a delivery through its control endpoint, authenticated by `token`.
 */
export interface SessionInfo {
  readonly pid: number;
  readonly provider: string;
  /** Receiver URL on loopback, e.g. http://127.0.0.1:41234 */
  readonly localUrl: string;
  readonly publicUrl?: string;
  readonly forwardTo: string;
  /** POST {controlUrl}/inject with header x-webhook-session-token: token. */
  readonly controlUrl: string;
  readonly token: string;
  readonly startedAt: string;
  /** listen --events: only these event types are forwarded (absent: all). */
  readonly events?: readonly string[];
}

export const SESSION_TOKEN_HEADER = 'x-webhook-session-token';
/** The size of the body an inject request carries, so an oversized one is refused unread. */
export const SESSION_BODY_SIZE_HEADER = 'x-webhook-body-size';

/** Body of POST {controlUrl}/inject. */
export interface InjectRequest {
  readonly event: string;
  /** The exact body bytes to sign and deliver, base64. */
  readonly bodyBase64: string;
  /** Source recorded in the log ("trigger" by default). */
  readonly source?: 'trigger' | 'replay' | 'resend';
  readonly replayOf?: string;
  /** Sign with this message id instead of a fresh one (trigger --duplicate sends one id twice). */
  readonly id?: string;
  /** Send with these headers, unsigned by the session (an unchanged `resend`: the recorded ones). */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
}

/** Read a POST /inject body (it comes from another process): the shape is checked, not assumed. */
export function parseInjectRequest(text: string): InjectRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('the inject request is not JSON');
  }
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const optionalString = (key: string) => v[key] === undefined || typeof v[key] === 'string';
  if (typeof v.event !== 'string' || typeof v.bodyBase64 !== 'string' || !optionalString('replayOf') || !optionalString('id') || !(v.source === undefined || v.source === 'trigger' || v.source === 'replay' || v.source === 'resend')) {
    throw new Error('the inject request needs "event" and "bodyBase64" strings (and optional "source", "replayOf", "id")');
  }
  const headers = v.headers;
  const headerValue = (h: unknown) => typeof h === 'string' || (Array.isArray(h) && h.every((x) => typeof x === 'string'));
  if (headers !== undefined && (typeof headers !== 'object' || headers === null || Array.isArray(headers) || !Object.values(headers).every(headerValue))) {
    throw new Error('the inject request\'s "headers" must map names to strings or lists of strings');
  }
  return {
    event: v.event,
    bodyBase64: v.bodyBase64,
    ...(v.source !== undefined ? { source: v.source as NonNullable<InjectRequest['source']> } : {}),
    ...(typeof v.replayOf === 'string' ? { replayOf: v.replayOf } : {}),
    ...(typeof v.id === 'string' && v.id !== '' ? { id: v.id } : {}),
    ...(headers !== undefined ? { headers: headers as Record<string, string | string[]> } : {}),
  };
}

/**
 * Answer of POST {controlUrl}/inject: the delivery as recorded, with the app's answer. Its `id` is
 * the delivery id in the session's log; `signedId` the message id the session signed it with
 * (trigger --duplicate signs its copies with it).
 */
export interface InjectResponse extends Omit<DeliveryOutcome, 'event' | 'error'>, Pick<SendOutcome, 'error'> {
  readonly signedId?: string;
}

/** Answer of POST {controlUrl}/inject when the body is over the session's --max-body (status 413). */
export interface InjectTooLarge {
  readonly error: { readonly kind: 'too-large'; readonly message: string };
  readonly bodySize: number;
  readonly maxBodyBytes: number;
}

/**
 * The shapes of session JSON read back: the session file lives in the store (another version,
 * edited or planted) and an inject answer comes from whatever listens on the control port, so both
 * are checked, not cast. Loose: fields of newer versions pass. Made on first use, so zod loads
 * only when there is something to check (`trigger` without a session never loads it).
 */
let schemas: Promise<{ sessionInfo: z.ZodType<SessionInfo>; injectResponse: z.ZodType<InjectResponse> }> | undefined;
export function sessionSchemas() {
  schemas ??= import('zod').then(({ z }) => ({
    sessionInfo: z.looseObject({
      pid: z.number().int().positive(),
      provider: z.string().min(1),
      localUrl: z.url(),
      publicUrl: z.string().optional(),
      forwardTo: z.string(),
      controlUrl: z.url({ protocol: /^https?$/ }),
      token: z.string().min(1),
      startedAt: z.string(),
      events: z.array(z.string()).optional(),
    }),
    injectResponse: z.looseObject({
      id: z.string(),
      messageId: z.string().optional(),
      signedId: z.string().optional(),
      provider: z.string(),
      url: z.string(),
      status: z.number().int().optional(),
      ok: z.boolean(),
      durationMs: z.number(),
      error: z.looseObject({ kind: z.enum(SEND_ERROR_KINDS), message: z.string() }).optional(),
      bodyExcerpt: z.string().optional(),
      skipped: z.string().optional(),
    }),
  }));
  return schemas;
}
