import type { Clock } from '../clock.js';
import type { LoadedFixture } from '../payloads/load.js';
import { sessionSchemas, SESSION_BODY_SIZE_HEADER, SESSION_TOKEN_HEADER, type InjectRequest, type InjectTooLarge, type SessionInfo } from '../session-protocol.js';
import { messageIdOf } from '../providers/message-id.js';
import type { ProviderProfile } from '../providers/types.js';
import { sendOnce, type Send, type SendResult } from './send.js';
import { signRequest } from './sign.js';
import { checkUntrusted } from '../untrusted-json.js';
import type { DeliveryOutcome, SessionErrorKind } from '../send-outcome.js';
import { FORWARDED_FOR } from './source-address.js';

/** Where a triggered event goes: straight to a URL (signed here), or through a running `listen` session. */
export type TriggerTarget = { readonly kind: 'url'; readonly url: URL; readonly secret: string } | { readonly kind: 'session'; readonly session: SessionInfo };

export interface TriggerInput {
  readonly profile: ProviderProfile;
  readonly event: string;
  /** Loads (and renders) the fixture; called once per delivery so templates are fresh, once in all with `duplicate`. */
  readonly load: () => Promise<LoadedFixture>;
  readonly target: TriggerTarget;
  /** Deliveries to make (default 1). */
  readonly count?: number;
  /** Send the same bytes with the same message id every time (idempotency test). */
  readonly duplicate?: boolean;
  /** X-Forwarded-For for each delivery in turn (--from-ip); URL targets only. */
  readonly sourceAddresses?: readonly string[] | undefined;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  /** Called after each delivery, in order. */
  readonly onDelivery?: (outcome: DeliveryOutcome) => void;
}

const EXCERPT = 200;

/** The first characters of an answer body on one line, for terminals and logs. */
export function excerpt(body: Uint8Array, truncated = false): string {
  const text = Buffer.from(body).toString('utf8').replace(/\s+/g, ' ').trim();
  return text.length > EXCERPT || truncated ? `${text.slice(0, EXCERPT)}…` : text;
}

/**
 * Sign and send one fixture body to a URL as the provider would; never throws for network
 * trouble. `send`: how (default sendOnce, a one-shot node:http request; replay passes its pool's).
 * `parsed`: the fixture's body already parsed (readFixture), so it is not parsed again.
 */
export async function signAndSend(
  input: { profile: ProviderProfile; event: string; fixture: LoadedFixture; parsed?: { readonly payload: unknown } | undefined; url: URL; secret: string; id?: string | undefined; clock: Clock; signal?: AbortSignal | undefined; forwardedFor?: string | undefined; send?: Send | undefined },
): Promise<DeliveryOutcome & { readonly result: SendResult; readonly signedId: string }> {
  const signed = signRequest(input.profile, { body: input.fixture.body, secret: input.secret, id: input.id, event: input.event, url: input.url }, input.clock);
  const headers = { ...signed.headers, ...input.fixture.meta.headers, ...(input.forwardedFor ? { [FORWARDED_FOR]: input.forwardedFor } : {}) };
  // The fixture's body parsed while it was read, unless signing changed the bytes (Mailgun).
  const messageId = messageIdOf(input.profile, signed.body, headers, signed.body === input.fixture.body ? input.parsed : undefined);
  const result = await (input.send ?? sendOnce)(
    { url: signed.url ?? input.url, headers, body: signed.body, timeoutMs: input.profile.timeoutMs, ...(input.signal ? { signal: input.signal } : {}) },
    input.clock,
  );
  return {
    event: input.event,
    provider: input.profile.name,
    url: input.url.toString(),
    status: result.status,
    ok: result.ok,
    durationMs: Math.round(result.durationMs),
    id: messageId ?? signed.id,
    ...(messageId !== undefined ? { messageId } : {}),
    ...(result.error ? { error: result.error } : {}),
    ...(result.status !== undefined ? { bodyExcerpt: excerpt(result.body, result.truncated) } : {}),
    result,
    signedId: signed.id,
  };
}

/**
 * Ask a running `listen` session to sign and deliver these bytes (it holds the secret); `id`
 * makes it sign with that message id (--duplicate), else it signs with a fresh one.
 */
export async function injectIntoSession(
  input: {
    session: SessionInfo;
    profile: ProviderProfile;
    event: string;
    body: Uint8Array;
    id?: string | undefined;
    replayOf?: string | undefined;
    /** How the session records it (default "trigger"). */
    source?: NonNullable<InjectRequest['source']>;
    /** Send these headers as they are instead of having the session sign (an unchanged resend). */
    headers?: InjectRequest['headers'];
    clock: Clock;
    signal?: AbortSignal | undefined;
  },
): Promise<DeliveryOutcome & { readonly signedId?: string }> {
  const request: InjectRequest = {
    event: input.event,
    bodyBase64: Buffer.from(input.body).toString('base64'),
    source: input.source ?? 'trigger',
    ...(input.replayOf ? { replayOf: input.replayOf } : {}),
    ...(input.id ? { id: input.id } : {}),
    ...(input.headers ? { headers: input.headers } : {}),
  };
  const url = new URL('inject', input.session.controlUrl.endsWith('/') ? input.session.controlUrl : `${input.session.controlUrl}/`);
  const result = await sendOnce(
    {
      url,
      headers: { 'content-type': 'application/json', [SESSION_TOKEN_HEADER]: input.session.token, [SESSION_BODY_SIZE_HEADER]: String(input.body.length) },
      body: Buffer.from(JSON.stringify(request)),
      // The session waits for the app, so allow the provider's timeout plus a margin.
      timeoutMs: input.profile.timeoutMs + 5_000,
      maxResponseBytes: 64 * 1024,
      ...(input.signal ? { signal: input.signal } : {}),
    },
    input.clock,
  );
  const failed = (message: string, kind: SessionErrorKind = 'session'): DeliveryOutcome => ({
    event: input.event,
    provider: input.session.provider,
    url: input.session.forwardTo,
    status: undefined,
    ok: false,
    durationMs: Math.round(result.durationMs),
    id: '',
    error: { kind, message },
  });
  if (result.error?.kind === 'refused') {
    return failed(`the listen session (pid ${input.session.pid}) is gone: its control port refused the connection; start \`webhook listen\` again, or send straight to your app with --to <url>`, 'session-gone');
  }
  if (result.error) return failed(`the listen session (pid ${input.session.pid}) did not answer: ${result.error.message}`);
  let value: unknown;
  try {
    value = JSON.parse(result.body.toString('utf8'));
  } catch {
    return failed(`the listen session answered ${result.status} without a delivery record`);
  }
  const refusal = (typeof value === 'object' && value !== null ? value : {}) as Partial<Record<keyof InjectTooLarge, unknown>>;
  const refusalMessage = typeof refusal.error === 'object' && refusal.error !== null && typeof (refusal.error as { message?: unknown }).message === 'string' ? (refusal.error as { message: string }).message : excerpt(result.body);
  if (result.status === 413) {
    const fix = typeof refusal.bodySize === 'number' ? `restart listen with --max-body ${refusal.bodySize} (or more), or send straight to your app with --to <url>` : 'restart listen with a larger --max-body, or send straight to your app with --to <url>';
    return failed(`the listen session refused the body: ${refusalMessage}; logged there as refused (413); ${fix}`, 'too-large');
  }
  if (!result.ok) return failed(`the listen session refused the event (${result.status}): ${refusalMessage}`);
  const checked = checkUntrusted((await sessionSchemas()).injectResponse, value, 'a delivery record');
  if ('problem' in checked) return failed(`the listen session answered ${result.status} with something that is not a delivery record (${checked.problem})`);
  const answer = checked.value;
  return {
    event: input.event,
    provider: answer.provider,
    url: answer.url,
    status: answer.status,
    ok: answer.ok,
    durationMs: Math.round(answer.durationMs),
    id: answer.id,
    ...(answer.messageId !== undefined ? { messageId: answer.messageId } : {}),
    ...(answer.signedId !== undefined ? { signedId: answer.signedId } : {}),
    ...(answer.error ? { error: answer.error } : {}),
    ...(answer.bodyExcerpt !== undefined && answer.skipped === undefined ? { bodyExcerpt: answer.bodyExcerpt } : {}),
    ...(answer.skipped !== undefined ? { skipped: answer.skipped } : {}),
  };
}

/** Send an event `count` times (fresh templates each time, or the same bytes and id with `duplicate`). */
export async function triggerEvent(input: TriggerInput): Promise<DeliveryOutcome[]> {
  const outcomes: DeliveryOutcome[] = [];
  // With `duplicate`: the first delivery's bytes and signed message id (sent again with the same
  // id, directly or through a session), and through a session its delivery id (replayOf).
  let first: { fixture: LoadedFixture; id: string; deliveryId?: string | undefined } | undefined;
  for (let i = 0; i < (input.count ?? 1); i++) {
    if (input.signal?.aborted) break;
    const fixture = input.duplicate && first ? first.fixture : await input.load();
    const id = input.duplicate ? first?.id : undefined;
    let outcome: DeliveryOutcome;
    let repeatId: string;
    let deliveryId: string | undefined;
    if (input.target.kind === 'url') {
      const forwardedFor = input.sourceAddresses?.[i % input.sourceAddresses.length];
      const { result: _result, signedId, ...rest } = await signAndSend({ profile: input.profile, event: input.event, fixture, url: input.target.url, secret: input.target.secret, id, clock: input.clock, signal: input.signal, forwardedFor });
      outcome = rest;
      repeatId = signedId;
    } else {
      const { signedId, ...rest } = await injectIntoSession({ session: input.target.session, profile: input.profile, event: input.event, body: fixture.body, id, replayOf: input.duplicate ? first?.deliveryId : undefined, clock: input.clock, signal: input.signal });
      outcome = rest;
      repeatId = signedId ?? rest.id;
      deliveryId = rest.id;
    }
    first ??= { fixture, id: repeatId, deliveryId };
    outcomes.push(outcome);
    input.onDelivery?.(outcome);
  }
  return outcomes;
}
