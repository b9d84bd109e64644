import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';
import { signRequest } from '../delivery/sign.js';
import { readBody, startHttpServer } from '../http/server.js';
import type { ProviderProfile } from '../providers/types.js';
import { humanBytes } from '../quantity.js';
import { bytesEqual } from '../signing/compare.js';
import { senderUrl, type Receiver } from './receiver.js';
import { parseInjectRequest, SESSION_BODY_SIZE_HEADER, SESSION_TOKEN_HEADER, type InjectRequest, type InjectResponse, type InjectTooLarge } from '../session-protocol.js';

export interface ControlOptions {
  readonly receiver: Receiver;
  readonly profile: ProviderProfile;
  /** The secret to sign injected deliveries with (registration may set it after start). */
  readonly secret: () => string | undefined;
  /** The public URL now, if any: deliveries are signed for the URL a provider would call. */
  readonly publicUrl: () => string | undefined;
  /** The session's --max-body. */
  readonly maxBodyBytes: number;
  readonly clock: Clock;
}

/** The control endpoint `webhook trigger` injects through: loopback only, token-checked. */
export interface Control {
  /** e.g. http://127.0.0.1:41235; POST /inject with the token in x-webhook-session-token. */
  readonly url: string;
  readonly token: string;
  stop(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);

/**
 * A body over --max-body is refused as the receiver refuses one from the provider: 413, and
 * logged (its event named when the body was read and decoded).
 */
async function refuseTooLarge(options: ControlOptions, res: ServerResponse, bodySize: number, event?: string): Promise<void> {
  const max = options.maxBodyBytes;
  await options.receiver.handle({ headers: {}, body: Buffer.alloc(0), source: 'trigger', tooLarge: bodySize });
  const size = `${humanBytes(bodySize)} (${bodySize} bytes)`;
  const answer: InjectTooLarge = {
    error: { kind: 'too-large', message: `${event ? `the ${event} body, ${size},` : size} is over this listen session's --max-body of ${humanBytes(max)} (${max} bytes)` },
    bodySize,
    maxBodyBytes: max,
  };
  json(res, 413, answer);
}

/** What the inject answer says of a delivery: as recorded, with the app's answer. */
function injectResponse(profile: ProviderProfile, done: Awaited<ReturnType<Receiver['handle']>>, signedId: string | undefined): InjectResponse {
  const { request, outcome } = done;
  return {
    id: request.id,
    ...(request.messageId !== undefined ? { messageId: request.messageId } : {}),
    ...(signedId !== undefined ? { signedId } : {}),
    provider: profile.name,
    url: outcome.target,
    ...(outcome.status !== undefined ? { status: outcome.status } : {}),
    ok: outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300,
    durationMs: outcome.durationMs,
    ...(outcome.error ? { error: outcome.error } : {}),
    bodyExcerpt: done.body.subarray(0, 200).toString('utf8'),
    ...(outcome.skipped !== undefined ? { skipped: outcome.skipped } : {}),
  };
}

/**
 * Deliver an inject request through the receiver. Recorded headers (an unchanged resend) go out as
 * they were; otherwise it is signed for the URL a provider would call: the public one (schemes that
 * sign the URL: Square, HubSpot, Twilio).
 */
async function inject(options: ControlOptions, input: InjectRequest, body: Buffer, secret: string | undefined): Promise<InjectResponse> {
  const { receiver, profile } = options;
  const senderBase = senderUrl(options.publicUrl() ?? receiver.url, '/');
  const signed = input.headers ? undefined : signRequest(profile, { body, secret: secret!, event: input.event, id: input.id, url: senderBase }, options.clock);
  const path = signed?.url !== undefined && signed.url !== senderBase ? `/${new URL(signed.url).search}` : '/';
  const done = await receiver.handle({ path, headers: signed?.headers ?? input.headers ?? {}, body: signed ? Buffer.from(signed.body) : body, source: input.source ?? 'trigger', replayOf: input.replayOf });
  return injectResponse(profile, done, signed?.id);
}

/** Answer one control request. */
async function answer(options: ControlOptions, token: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const given = req.headers[SESSION_TOKEN_HEADER];
  const authorised = typeof given === 'string' && bytesEqual(Buffer.from(given), Buffer.from(token));
  if (req.method !== 'POST' || req.url !== '/inject' || !authorised) {
    json(res, authorised ? 404 : 401, { error: 'unauthorised or unknown control request' });
    return;
  }
  const max = options.maxBodyBytes;
  // trigger says the size in a header, so a 50 MB body is drained, never kept or decoded (its
  // event is then not known); a body that did not say is measured.
  const declared = Number(req.headers[SESSION_BODY_SIZE_HEADER]);
  if (Number.isSafeInteger(declared) && declared > max) {
    // Drained, not kept: the sender gets its answer once it has finished sending.
    req.resume();
    if (!req.readableEnded) await once(req, 'end');
    return refuseTooLarge(options, res, declared);
  }
  // Base64 in JSON: a third larger than the body, and room for the rest of the request.
  const input = parseInjectRequest((await readBody(req, Math.ceil(max / 3) * 4 + 64 * 1024)).toString('utf8'));
  const secret = options.secret();
  if (!secret && !input.headers) {
    json(res, 409, { error: { message: `this listen session has no ${options.profile.name} secret to sign with: restart it with --secret` } });
    return;
  }
  const body = Buffer.from(input.bodyBase64, 'base64');
  if (body.length > max) return refuseTooLarge(options, res, body.length, input.event);
  json(res, 200, await inject(options, input, body, secret));
}

/** The control part: a loopback server on a free port with a fresh token. */
export async function startControl(options: ControlOptions): Promise<Control> {
  const token = randomBytes(24).toString('base64url');
  const server = await startHttpServer((req, res) => {
    answer(options, token, req, res).catch((error: Error) => {
      if (!res.headersSent) json(res, 400, { error: { message: error.message } });
    });
  });
  return { url: server.url, token, stop: server.close };
}
