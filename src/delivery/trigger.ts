import type { Clock } from '../clock.js';
import type { LoadedFixture } from '../fixtures/load.js';
import { SESSION_TOKEN_HEADER, type InjectRequest, type InjectResponse, type SessionInfo } from '../listen/session.js';
import type { ProviderProfile } from '../providers/types.js';
import { sendRequest, type SendResult } from './send.js';
import { signRequest } from './sign.js';

/** Where a triggered event goes: straight to a URL (signed here), or through a running `listen` session. */
export type TriggerTarget = { readonly kind: 'url'; readonly url: URL; readonly secret: string } | { readonly kind: 'session'; readonly session: SessionInfo };

/** One delivery's outcome (the `--json` line of `webhook trigger`). */
export interface DeliveryOutcome {
  readonly event: string;
  readonly provider: string;
  readonly url: string;
  /** Undefined when no answer came (see error). */
  readonly status: number | undefined;
  readonly ok: boolean;
  readonly durationMs: number;
  /** The message id the delivery carried. */
  readonly id: string;
  readonly error?: { readonly kind: string; readonly message: string };
  /** The start of the answer's body, as text. */
  readonly bodyExcerpt?: string;
}

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

/** Sign and send one fixture body to a URL as the provider would; never throws for network trouble. */
export async function deliver(
  input: { profile: ProviderProfile; event: string; fixture: LoadedFixture; url: URL; secret: string; id?: string | undefined; clock: Clock; signal?: AbortSignal | undefined },
): Promise<DeliveryOutcome & { readonly result: SendResult }> {
  const signed = signRequest(input.profile, { body: input.fixture.body, secret: input.secret, id: input.id, event: input.event, url: input.url.toString() }, input.clock);
  const result = await sendRequest(
    { url: signed.url ?? input.url, headers: { ...signed.headers, ...input.fixture.meta.headers }, body: signed.body, timeoutMs: input.profile.timeoutMs, ...(input.signal ? { signal: input.signal } : {}) },
    input.clock,
  );
  return {
    event: input.event,
    provider: input.profile.name,
    url: input.url.toString(),
    status: result.status,
    ok: result.ok,
    durationMs: Math.round(result.durationMs),
    id: signed.id,
    ...(result.error ? { error: result.error } : {}),
    ...(result.status !== undefined ? { bodyExcerpt: excerpt(result.body, result.truncated) } : {}),
    result,
  };
}

/** Ask a running `listen` session to sign and deliver these bytes (it holds the secret). */
export async function injectIntoSession(
  input: { session: SessionInfo; profile: ProviderProfile; event: string; body: Uint8Array; replayOf?: string | undefined; clock: Clock; signal?: AbortSignal | undefined },
): Promise<DeliveryOutcome> {
  const request: InjectRequest = { event: input.event, bodyBase64: Buffer.from(input.body).toString('base64'), source: 'trigger', ...(input.replayOf ? { replayOf: input.replayOf } : {}) };
  const url = new URL('inject', input.session.controlUrl.endsWith('/') ? input.session.controlUrl : `${input.session.controlUrl}/`);
  const result = await sendRequest(
    {
      url,
      headers: { 'content-type': 'application/json', [SESSION_TOKEN_HEADER]: input.session.token },
      body: Buffer.from(JSON.stringify(request)),
      // The session waits for the app, so allow the provider's timeout plus a margin.
      timeoutMs: input.profile.timeoutMs + 5_000,
      maxResponseBytes: 64 * 1024,
      ...(input.signal ? { signal: input.signal } : {}),
    },
    input.clock,
  );
  const failed = (message: string): DeliveryOutcome => ({
    event: input.event,
    provider: input.session.provider,
    url: input.session.forwardTo,
    status: undefined,
    ok: false,
    durationMs: Math.round(result.durationMs),
    id: '',
    error: { kind: 'session', message },
  });
  if (result.error) return failed(`the listen session (pid ${input.session.pid}) did not answer: ${result.error.message}`);
  let answer: InjectResponse;
  try {
    answer = JSON.parse(result.body.toString('utf8')) as InjectResponse;
  } catch {
    return failed(`the listen session answered ${result.status} without a delivery record`);
  }
  if (!result.ok) return failed(`the listen session refused the event (${result.status}): ${(answer as { error?: { message?: string } }).error?.message ?? excerpt(result.body)}`);
  return {
    event: input.event,
    provider: answer.provider,
    url: answer.url,
    status: answer.status,
    ok: answer.ok,
    durationMs: Math.round(answer.durationMs),
    id: answer.id,
    ...(answer.error ? { error: answer.error } : {}),
    ...(answer.bodyExcerpt !== undefined ? { bodyExcerpt: answer.bodyExcerpt } : {}),
  };
}

/** Send an event `count` times (fresh templates each time, or the same bytes and id with `duplicate`). */
export async function triggerEvent(input: TriggerInput): Promise<DeliveryOutcome[]> {
  const outcomes: DeliveryOutcome[] = [];
  let first: { fixture: LoadedFixture; id: string } | undefined;
  for (let i = 0; i < (input.count ?? 1); i++) {
    if (input.signal?.aborted) break;
    const fixture = input.duplicate && first ? first.fixture : await input.load();
    const id = input.duplicate ? first?.id : undefined;
    let outcome: DeliveryOutcome;
    if (input.target.kind === 'url') {
      const { result: _result, ...rest } = await deliver({ profile: input.profile, event: input.event, fixture, url: input.target.url, secret: input.target.secret, id, clock: input.clock, signal: input.signal });
      outcome = rest;
    } else {
      outcome = await injectIntoSession({ session: input.target.session, profile: input.profile, event: input.event, body: fixture.body, replayOf: id, clock: input.clock, signal: input.signal });
    }
    first ??= { fixture, id: outcome.id };
    outcomes.push(outcome);
    input.onDelivery?.(outcome);
  }
  return outcomes;
}
