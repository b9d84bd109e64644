import type { Clock } from '../clock.js';
import { unixSeconds } from '../clock.js';
import { sendOnce, type SendResult } from '../delivery/send.js';
import { newMessageId, signRequest } from '../delivery/sign.js';
import { FORWARDED_FOR } from '../delivery/source-address.js';
import type { ProviderProfile } from '../providers/types.js';

/** Everything a case needs to build and send its delivery. */
export interface CheckTarget {
  readonly profile: ProviderProfile;
  readonly secret: string;
  readonly url: URL;
  readonly event: string;
  /** A fresh, valid body for the event (templates rendered anew on each call). */
  readonly body: () => Promise<Uint8Array>;
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly signal?: AbortSignal | undefined;
  /** X-Forwarded-For for each request (--from-ip), called once per request; undefined: none. */
  readonly forwardedFor?: (() => string) | undefined;
  /** The addresses the handler allows, when it allow-lists (--allowlist); turns on the opt-in address case. */
  readonly allowedAddresses?: readonly string[] | undefined;
}

export interface CaseVerdict {
  readonly passed: boolean;
  /** What the handler answered, e.g. "200", "401 then 500", "no answer". */
  readonly got: string;
  readonly durationMs: number;
  /** Why it failed, in plain words, and how to fix it. */
  readonly explanation?: string | undefined;
  readonly fix?: string | undefined;
}

export interface CheckCase {
  readonly id: string;
  readonly title: string;
  /** What a safe handler answers. */
  readonly expected: '2xx' | '4xx';
  /** Cases that only make sense for some schemes (stale timestamps). */
  applies(profile: ProviderProfile): boolean;
  /** Runs only when asked for (the target says what it needs). */
  readonly optIn?: (target: Pick<CheckTarget, 'allowedAddresses'>) => boolean;
  run(target: CheckTarget): Promise<CaseVerdict>;
}

/** Providers whose bodies are form-encoded (Twilio): the JSON-reformatting cases do not apply. */
const sendsJson = (p: ProviderProfile) => !/x-www-form-urlencoded/i.test(p.requestHeaders['content-type'] ?? '');

const RAW_BODY_FIX = 'verify the raw request bytes before parsing (Express: express.raw({ type: "application/json" }); fetch-style: await request.arrayBuffer()), then JSON.parse';

async function send(target: CheckTarget, headers: Record<string, string>, body: Uint8Array): Promise<SendResult> {
  if (target.forwardedFor && headers[FORWARDED_FOR] === undefined) headers = { ...headers, [FORWARDED_FOR]: target.forwardedFor() };
  return sendOnce({ url: target.url, headers, body, timeoutMs: target.timeoutMs, ...(target.signal ? { signal: target.signal } : {}) }, target.clock);
}

const describeAnswer = (r: SendResult) => (r.status !== undefined ? String(r.status) : r.error?.kind === 'timeout' ? 'timeout' : r.error?.kind === 'refused' ? 'refused' : 'no answer');
const is2xx = (r: SendResult) => r.status !== undefined && r.status >= 200 && r.status < 300;
const is4xx = (r: SendResult) => r.status !== undefined && r.status >= 400 && r.status < 500;

/**
 * A delivery that got no HTTP answer at all, judged by its real cause: the app is gone
 * (connection refused: it stopped, most likely crashed on an earlier case), it dropped the
 * connection (it crashed or threw on this one), or it is too slow. Undefined when it answered.
 */
function unanswered(t: CheckTarget, r: SendResult, durationMs = r.durationMs): CaseVerdict | undefined {
  if (r.status !== undefined) return undefined;
  const where = `${t.url.protocol}//${t.url.host}`;
  const got = describeAnswer(r);
  switch (r.error?.kind) {
    case 'refused':
      return {
        passed: false,
        got,
        durationMs,
        explanation: `your app stopped answering: nothing is listening on ${where} any more (connection refused); it most likely crashed on an earlier case (see its log)`,
        fix: 'a handler must answer every delivery, never crash: catch errors, answer 4xx to deliveries that fail verification; restart the app and run check again',
      };
    case 'reset':
      return {
        passed: false,
        got,
        durationMs,
        explanation: `your app closed the connection without answering this delivery: it crashed or threw while handling it (see its log)`,
        fix: 'catch errors in the handler and always answer: 2xx for a good delivery, 4xx for one that fails verification',
      };
    case 'timeout':
      return {
        passed: false,
        got,
        durationMs,
        explanation: `no answer within ${t.timeoutMs / 1000} s: ${t.profile.displayName} counts that as failed and retries`,
        fix: 'answer as soon as the signature is checked; do slow work after answering (a queue, a background job)',
      };
    default:
      return { passed: false, got, durationMs, explanation: r.error?.message ?? 'no answer', fix: 'check that --to points at your handler and that it answers every request' };
  }
}

function signed(target: CheckTarget, body: Uint8Array, overrides: { secret?: string; timestamp?: number; id?: string } = {}) {
  return signRequest(target.profile, { body, secret: overrides.secret ?? target.secret, event: target.event, id: overrides.id, timestamp: overrides.timestamp, url: target.url }, target.clock);
}

function parse(body: Uint8Array): Record<string, unknown> {
  const value = JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : { data: value };
}

/**
 * The same event serialised unlike JSON.stringify: spaces after ':' and ',', keys in another
 * order, non-ASCII as \u escapes, and an id beyond 2^53 that JSON.parse cannot keep exactly.
 */
function reformat(body: Uint8Array): Uint8Array {
  const value = parse(body);
  const data = typeof value.data === 'object' && value.data !== null && !Array.isArray(value.data) ? (value.data as Record<string, unknown>) : {};
  const reordered: Record<string, unknown> = { data: { ...data, check_note: 'café ✓ 🎉' }, ...Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'data')) };
  const escapeNonAscii = (text: string) => text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const write = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(write).join(', ')}]`;
    if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${escapeNonAscii(JSON.stringify(k))}: ${write(x)}`).join(', ')}}`;
    return escapeNonAscii(JSON.stringify(v));
  };
  // Splice a big integer in as raw text: JSON.stringify can never produce it exactly.
  const text = write(reordered).replace(/^\{"data": \{/, '{"data": {"check_big_id": 12345678901234567890, ');
  return Buffer.from(text, 'utf8');
}

/** The body with its event type set to `event`, wherever this provider reads it. */
function withEventType(profile: ProviderProfile, body: Uint8Array, event: string): Uint8Array {
  const value = parse(body);
  for (const field of ['event', 'type']) {
    const candidate = { ...value, [field]: event };
    if (profile.eventType(candidate, {}) === event) return Buffer.from(JSON.stringify(candidate));
  }
  return Buffer.from(JSON.stringify({ ...value, event }));
}

const UNKNOWN_EVENT = 'webhook.check.unknown_event';

const CASES: readonly CheckCase[] = [
  {
    id: 'valid',
    title: 'valid delivery',
    expected: '2xx',
    applies: () => true,
    async run(t) {
      const body = await t.body();
      const r = await send(t, signed(t, body).headers, body);
      if (is2xx(r)) return { passed: true, got: describeAnswer(r), durationMs: r.durationMs };
      if (r.error?.kind === 'timeout') {
        return { passed: false, got: 'timeout', durationMs: r.durationMs, explanation: `no answer within ${t.profile.displayName}'s ${t.timeoutMs / 1000} s timeout, so it counts as failed and is retried`, fix: 'answer 2xx as soon as the signature checks out; do slow work after answering (a queue, a background job)' };
      }
      const none = unanswered(t, r);
      if (none) return none;
      return { passed: false, got: describeAnswer(r), durationMs: r.durationMs, explanation: 'a correctly signed delivery was refused', fix: `check the secret your handler uses (${t.profile.secret.envVar}) and that it verifies the raw body` };
    },
  },
  {
    id: 'reformatted-json',
    title: 'valid delivery, JSON formatted unlike JSON.stringify',
    expected: '2xx',
    applies: sendsJson,
    async run(t) {
      const body = reformat(await t.body());
      const r = await send(t, signed(t, body).headers, body);
      if (is2xx(r)) return { passed: true, got: describeAnswer(r), durationMs: r.durationMs };
      const none = unanswered(t, r);
      if (none) return none;
      return {
        passed: false,
        got: describeAnswer(r),
        durationMs: r.durationMs,
        explanation: is4xx(r) ? 'your handler verifies a re-serialised body (JSON.stringify of the parsed JSON), not the bytes that were signed; it breaks whenever spacing, key order, escapes or big numbers differ' : 'a valid delivery with unusual (but legal) JSON formatting was not accepted',
        fix: RAW_BODY_FIX,
      };
    },
  },
  {
    id: 'wrong-signature',
    title: 'wrong signature',
    expected: '4xx',
    applies: () => true,
    async run(t) {
      const body = await t.body();
      // A key pair scheme is "wrongly signed" by another private key of the same type.
      const wrong = t.profile.scheme.keyPair?.generate() ?? `${t.secret.startsWith('whsec_') ? 'whsec_' : ''}${Buffer.from('webhook-check-wrong-secret').toString('base64')}`;
      return rejects(t, signed(t, body, { secret: wrong }).headers, body, 'accepted a delivery signed with the wrong secret: it does not verify signatures');
    },
  },
  {
    id: 'missing-signature',
    title: 'missing signature header',
    expected: '4xx',
    applies: () => true,
    async run(t) {
      const body = await t.body();
      const headers = signed(t, body).headers;
      delete headers[t.profile.scheme.signatureHeader];
      return rejects(t, headers, body, `accepted a delivery without ${t.profile.scheme.signatureHeader}: anyone can post fake events to it`);
    },
  },
  {
    id: 'altered-body',
    title: 'body altered after signing',
    expected: '4xx',
    applies: () => true,
    async run(t) {
      const body = await t.body();
      const headers = signed(t, body).headers;
      const text = Buffer.from(body).toString('utf8');
      // A JSON body gains a key; a form body (Twilio) gains a parameter.
      const altered = Buffer.from(sendsJson(t.profile) ? text.replace(/}\s*$/, ', "check_tampered": true}\n') : `${text}&check_tampered=true`);
      return rejects(t, headers, altered, 'accepted a body that was changed after it was signed: it does not verify the bytes it received');
    },
  },
  {
    id: 'stale-timestamp',
    title: 'validly signed, stale timestamp',
    expected: '4xx',
    applies: (p) => p.scheme.usesTimestamp && p.scheme.toleranceSeconds !== undefined,
    async run(t) {
      const body = await t.body();
      const tolerance = t.profile.scheme.toleranceSeconds ?? 300;
      const headers = signed(t, body, { timestamp: unixSeconds(t.clock) - tolerance - 600 }).headers;
      return rejects(t, headers, body, `accepted a delivery signed ${Math.round((tolerance + 600) / 60)} minutes ago: recorded deliveries can be replayed against it`, `reject timestamps more than ${tolerance % 60 === 0 ? `${tolerance / 60} minutes` : `${tolerance} seconds`} from now (the official ${t.profile.displayName} library does this for you)`);
    },
  },
  {
    id: 'duplicate',
    title: 'the same delivery twice (same event id)',
    expected: '2xx',
    applies: () => true,
    async run(t) {
      const body = await t.body();
      const headers = signed(t, body, { id: newMessageId(t.profile) }).headers;
      const first = await send(t, headers, body);
      const second = await send(t, headers, body);
      const got = `${describeAnswer(first)} then ${describeAnswer(second)}`;
      const durationMs = first.durationMs + second.durationMs;
      if (is2xx(first) && is2xx(second)) return { passed: true, got, durationMs };
      const none = unanswered(t, first, durationMs) ?? unanswered(t, second, durationMs);
      if (none) return { ...none, got };
      return {
        passed: false,
        got,
        durationMs,
        explanation: is2xx(first) ? 'the second, identical delivery failed: providers resend deliveries (retries, manual resends), so a duplicate must be acknowledged, not crash' : 'the first delivery already failed',
        fix: `record each event's id (${t.profile.dedupeKey ? `payload ${t.profile.dedupeKey}` : 'the message id header'}) and answer 2xx without reprocessing when it was seen before`,
      };
    },
  },
  {
    id: 'unknown-event',
    title: 'an event type the handler does not know',
    expected: '2xx',
    applies: sendsJson,
    async run(t) {
      const body = withEventType(t.profile, await t.body(), UNKNOWN_EVENT);
      const headers = signRequest(t.profile, { body, secret: t.secret, event: UNKNOWN_EVENT, url: t.url }, t.clock).headers;
      const r = await send(t, headers, body);
      if (is2xx(r)) return { passed: true, got: describeAnswer(r), durationMs: r.durationMs };
      const none = unanswered(t, r);
      if (none) return none;
      return { passed: false, got: describeAnswer(r), durationMs: r.durationMs, explanation: 'an unknown event type was refused, so the provider retries it for hours or days and may disable the endpoint', fix: 'answer 2xx for event types you do not handle (log and ignore them)' };
    },
  },
];

/** Documentation addresses (RFC 5737): never a provider's. */
const FOREIGN_ADDRESSES = ['203.0.113.7', '198.51.100.7'];

/** Opt-in: for handlers that allow-list the provider's addresses (check --allowlist). */
const FOREIGN_ADDRESS_CASE: CheckCase = {
  id: 'foreign-address',
  title: "a delivery from an address that is not the provider's",
  expected: '4xx',
  applies: () => true,
  optIn: (t) => t.allowedAddresses !== undefined,
  async run(t) {
    const body = await t.body();
    const foreign = FOREIGN_ADDRESSES.find((a) => !t.allowedAddresses?.includes(a))!;
    const headers = { ...signed(t, body).headers, [FORWARDED_FOR]: foreign };
    return rejects(
      t,
      headers,
      body,
      `accepted a correctly signed delivery from ${foreign} (X-Forwarded-For), which is not one of the allowed addresses: the allow-list is not enforced, or trusts the wrong X-Forwarded-For entry`,
      `refuse (403) a delivery whose client address, the X-Forwarded-For entry added by the proxy you trust, is not one of ${(t.allowedAddresses ?? []).join(', ')}`,
    );
  },
};

/** The cases that run for this provider and target, in order (opt-in ones only when the target asks). */
export function casesFor(profile: ProviderProfile, target: Pick<CheckTarget, 'allowedAddresses'> = {}): CheckCase[] {
  return [...CASES, FOREIGN_ADDRESS_CASE].filter((c) => c.applies(profile) && (c.optIn === undefined || c.optIn(target)));
}

async function rejects(t: CheckTarget, headers: Record<string, string>, body: Uint8Array, accepted: string, fix?: string): Promise<CaseVerdict> {
  const r = await send(t, headers, body);
  if (is4xx(r)) return { passed: true, got: describeAnswer(r), durationMs: r.durationMs };
  if (is2xx(r)) return { passed: false, got: describeAnswer(r), durationMs: r.durationMs, explanation: accepted, fix: fix ?? `verify ${t.profile.scheme.signatureHeader} over the raw body with the secret and answer 401 when it does not match` };
  const none = unanswered(t, r);
  if (none) return none;
  return { passed: false, got: describeAnswer(r), durationMs: r.durationMs, explanation: 'rejected, but not with a 4xx: a 5xx makes the provider retry a request that can never succeed', fix: 'answer 400/401 when verification fails' };
}
