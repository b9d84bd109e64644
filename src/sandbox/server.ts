import { createHash, randomBytes } from 'node:crypto';
import { LOOPBACK_HOSTS } from '../input.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, readBody, startHttpServer } from '../http/server.js';
import { systemTimers, type Clock, type Timers } from '../clock.js';
import { WebhookError } from '../errors.js';
import { newMessageId } from '../delivery/sign.js';
import { listEvents } from '../payloads/events.js';
import { loadFixture } from '../payloads/load.js';
import { paykore } from '../providers/paykore.js';
import type { ProviderProfile } from '../providers/types.js';
import { retryScheduleFor, type RetrySchedule } from '../providers/schedule.js';
import { DeliveryEngine, type AttemptEvent, type EndpointEvent } from './engine.js';
import { privateAddressOf, systemLookup, type LookupAll } from './private-address.js';
import { SandboxState, type Endpoint, type SandboxDelivery } from './state.js';

export interface SandboxOptions {
  /** Default 0: a free port chosen by the OS. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Multiplies every retry delay: 0.001 turns PayKore's 24 h into 86.4 s. Default 1. */
  readonly timeScale?: number;
  /** Overrides each provider's delivery timeout (ms). */
  readonly timeoutMs?: number;
  /** Keep endpoints and deliveries here across restarts (sandbox.json). */
  readonly storeDir?: string;
  /** Deliver emitted events as this provider to this URL (providers without a registration API). */
  readonly deliverAs?: { readonly profile: ProviderProfile; readonly url: string; readonly secret: string };
  /** The emitting provider's retry schedule mode (Paystack: "test", the default, or "live"). */
  readonly mode?: string | undefined;
  /** Abandon a delivery after this many failed attempts in all (default: the whole documented schedule). */
  readonly abandonAfter?: number | undefined;
  /** Fixture folders searched before the built-ins for emitted event bodies. */
  readonly fixtures?: readonly string[];
  readonly cwd?: string;
  /** Accept endpoint URLs on private and link-local addresses (refused by default; loopback is always accepted). */
  readonly allowPrivate?: boolean;
}

export interface SandboxDeps {
  readonly clock: Clock;
  readonly timers?: Timers;
  readonly onAttempt?: (event: AttemptEvent) => void;
  readonly onEndpoint?: (event: EndpointEvent) => void;
  /** What was unreadable in the --store folder, or could not be written to it. */
  readonly onWarning?: (text: string) => void;
  /** How endpoint host names are resolved (default: the system's resolver). */
  readonly lookup?: LookupAll;
}

export interface Sandbox {
  /** Base URL, e.g. http://127.0.0.1:4010 */
  readonly url: string;
  /** The schedule every delivery follows (mode, attempts, unscaled delays). */
  readonly schedule: RetrySchedule;
  /** Stop serving and cancel pending retries; idempotent. */
  close(): Promise<void>;
}

/** PayKore-style API key for the sandbox: sk_test_ and at least 8 more characters. */
const API_KEY_PATTERN = /^sk_test_[A-Za-z0-9_]{8,}$/;
const MAX_BODY = 1024 * 1024;

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, '').slice(0, 16)}`;
const ownerOf = (key: string) => createHash('sha256').update(key).digest('hex');

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readBody(req, MAX_BODY).catch((error: unknown) => {
    throw error instanceof BodyTooLargeError ? new ApiError(413, 'PAYLOAD_TOO_LARGE', 'request body over 1 MiB') : error;
  });
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, 'INVALID_JSON', `request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ApiError(400, 'INVALID_REQUEST', 'request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** The endpoint as the API shows it (the secret only in the creation answer). */
function endpointView(endpoint: Endpoint, withSecret = false) {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    ...(withSecret ? { secret: endpoint.secret } : {}),
    status: endpoint.status,
    ...(endpoint.description ? { description: endpoint.description } : {}),
    created_at: endpoint.createdAt,
  };
}

function deliveryView(d: SandboxDelivery) {
  const last = d.attempts.at(-1);
  return {
    id: d.id,
    event: d.event,
    event_id: d.eventId,
    endpoint_id: d.endpointId,
    url: d.url,
    state: d.state,
    attempt: d.attempts.length,
    status_code: last?.status ?? null,
    response_time_ms: last?.durationMs ?? null,
    next_attempt_at: d.nextAttemptAt ?? null,
    abandoned_reason: d.state === 'abandoned' ? (d.abandonedReason ?? 'retries exhausted') : null,
    created_at: d.createdAt,
    attempts: d.attempts.map((a) => ({ attempt: a.attempt, at: a.at, status_code: a.status ?? null, response_time_ms: a.durationMs, error: a.error ?? null, manual: a.manual === true })),
  };
}

/** The URL's syntax and scheme; where it points is checked by the sandbox (private addresses). */
function parseWebhookUrl(raw: unknown): URL {
  if (typeof raw !== 'string' || raw === '') throw new ApiError(400, 'INVALID_REQUEST', '"url" is required: the HTTPS URL to deliver to');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ApiError(400, 'INVALID_WEBHOOK_URL', `"${raw}" is not a URL`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return url;
  throw new ApiError(400, 'INVALID_WEBHOOK_URL', 'webhook URLs must use HTTPS (plain http is accepted only for localhost in the sandbox)');
}

/** What the API's handlers share: the state, the engine, the event catalog and the emitting profile. */
interface Api {
  readonly options: SandboxOptions;
  readonly deps: SandboxDeps;
  readonly emitting: ProviderProfile;
  readonly schedule: RetrySchedule;
  readonly state: SandboxState;
  readonly engine: DeliveryEngine;
  readonly catalog: readonly string[];
  now(): string;
}

/** The deliveries' engine: retries on the emitting provider's schedule, signing as it (or as PayKore for registered endpoints). */
function deliveryEngine(options: SandboxOptions, deps: SandboxDeps, state: SandboxState, emitting: ProviderProfile, schedule: RetrySchedule): DeliveryEngine {
  return new DeliveryEngine(state, {
    timeScale: options.timeScale ?? 1,
    timeoutMs: options.timeoutMs,
    clock: deps.clock,
    timers: deps.timers ?? systemTimers,
    ...(deps.onAttempt ? { onAttempt: deps.onAttempt } : {}),
    ...(deps.onEndpoint ? { onEndpoint: deps.onEndpoint } : {}),
    retryDelaysFor: () => schedule.retryDelaysMs,
    disableAfterFailingMs: () => emitting.disableEndpointAfterFailingMs,
    signerFor: (delivery) => {
      if (delivery.endpointId === 'target') return options.deliverAs && { profile: options.deliverAs.profile, secret: options.deliverAs.secret, url: options.deliverAs.url };
      const endpoint = state.endpoints.get(delivery.endpointId);
      return endpoint && { profile: paykore, secret: endpoint.secret, url: endpoint.url };
    },
  });
}

/** The caller's identity: a hash of its test API key (endpoints are private to a key). */
function authenticate(req: IncomingMessage): string {
  const key = req.headers['x-api-key'];
  if (typeof key !== 'string' || key === '') throw new ApiError(401, 'UNAUTHORIZED', 'missing X-API-Key header: use a test key such as sk_test_0123456789');
  if (!API_KEY_PATTERN.test(key)) throw new ApiError(401, 'INVALID_API_KEY', 'invalid API key: sandbox keys look like sk_test_ followed by 8 or more letters, digits or _');
  return ownerOf(key);
}

async function checkUrl(api: Api, raw: unknown): Promise<string> {
  const url = parseWebhookUrl(raw);
  if (!api.options.allowPrivate) {
    const address = await privateAddressOf(url, api.deps.lookup ?? systemLookup);
    if (address !== undefined) {
      const where = address === url.hostname.replace(/^\[|\]$/g, '') ? address : `${url.hostname} (${address})`;
      throw new ApiError(400, 'INVALID_WEBHOOK_URL', `${where} is a private or link-local address: the sandbox refuses such webhook URLs; start it with --allow-private to accept them`);
    }
  }
  return url.toString();
}

function checkEvents(api: Api, raw: unknown): string[] {
  const { catalog } = api;
  if (raw === undefined) return [...catalog];
  if (!Array.isArray(raw) || raw.some((e) => typeof e !== 'string')) throw new ApiError(400, 'INVALID_REQUEST', '"events" must be a list of event names');
  const unknown = (raw as string[]).filter((e) => e !== '*' && !catalog.includes(e));
  if (unknown.length > 0) throw new ApiError(400, 'INVALID_EVENT', `unknown event ${unknown.map((e) => `"${e}"`).join(', ')}; valid events: ${catalog.join(', ')}`);
  return (raw as string[]).includes('*') ? [...catalog] : (raw as string[]);
}

function ownEndpoint(api: Api, owner: string, id: string): Endpoint {
  const endpoint = api.state.endpoints.get(id);
  if (!endpoint || endpoint.owner !== owner) throw new ApiError(404, 'NOT_FOUND', `no webhook endpoint ${id}`);
  return endpoint;
}

/** The bytes of an emitted event: the request's `data` in the provider's envelope, or its fixture. */
async function eventBody(api: Api, event: string, data: unknown): Promise<Uint8Array> {
  const { emitting, options } = api;
  if (data !== undefined) return Buffer.from(JSON.stringify(emitting.name === 'koard' ? { type: event, timestamp: api.now(), data } : { event, data }));
  return (await loadFixture({ provider: emitting.name, event, fixtures: options.fixtures ?? [], cwd: options.cwd ?? process.cwd(), clock: api.deps.clock })).body;
}

async function emit(api: Api, owner: string, body: Record<string, unknown>) {
  const { emitting, state, engine, options, catalog } = api;
  const event = body.event;
  if (typeof event !== 'string' || !catalog.includes(event)) {
    throw new ApiError(400, 'INVALID_EVENT', `"event" must be one of: ${catalog.join(', ')}`);
  }
  const bytes = await eventBody(api, event, body.data);
  const eventId = newMessageId(emitting);
  const now = api.now();
  // One copy of the body per event: every delivery and every attempt sends this same Buffer.
  const emitted = { id: eventId, event, provider: emitting.name, body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), createdAt: now };
  const targets = options.deliverAs
    ? [{ endpointId: 'target', url: options.deliverAs.url }]
    : [...state.endpoints.values()].filter((e) => e.owner === owner && e.events.includes(event)).map((e) => ({ endpointId: e.id, url: e.url }));
  const created = targets.map(
    (t): SandboxDelivery => ({ id: newId('dlv'), eventId, event, provider: emitting.name, endpointId: t.endpointId, url: t.url, state: 'pending', attempts: [], createdAt: api.now() }),
  );
  for (const d of created) {
    // A disabled endpoint gets nothing until it is enabled again; the delivery can be retried by hand.
    if (engine.isDisabled(d.endpointId)) Object.assign(d, { state: 'abandoned', abandonedReason: 'endpoint disabled' });
  }
  await Promise.all([state.putEvent(emitted), ...created.map((d) => state.putDelivery(d))]);
  for (const d of created) if (d.state === 'pending') engine.start(d);
  return { event, event_id: eventId, deliveries: created.map((d) => d.id) };
}

/** One request, as the router sees it. */
interface Call {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  readonly owner: string;
  readonly id: string | undefined;
  readonly sub: string | undefined;
}

/** /v1/webhooks[/id[/deliveries]]: true when the call was answered. */
async function routeWebhooks(api: Api, { req, res, method, owner, id, sub }: Call): Promise<boolean> {
  const { state } = api;
  if (id === undefined && method === 'POST') {
    const body = await readJson(req);
    const endpoint: Endpoint = {
      id: newId('wh'),
      url: await checkUrl(api, body.url),
      events: checkEvents(api, body.events),
      secret: `whsec_${randomBytes(24).toString('base64')}`,
      status: 'active',
      createdAt: api.now(),
      description: typeof body.description === 'string' ? body.description : undefined,
      owner,
    };
    await state.putEndpoint(endpoint);
    send(res, 201, endpointView(endpoint, true));
    return true;
  }
  if (id === undefined && method === 'GET') {
    send(res, 200, { data: [...state.endpoints.values()].filter((e) => e.owner === owner).map((e) => endpointView(e)) });
    return true;
  }
  if (id === undefined) return false;
  if (sub === undefined && method === 'GET') {
    send(res, 200, endpointView(ownEndpoint(api, owner, id)));
    return true;
  }
  if (sub === undefined && method === 'PATCH') {
    const endpoint = ownEndpoint(api, owner, id);
    const body = await readJson(req);
    const updated: Endpoint = { ...endpoint, ...(body.url !== undefined ? { url: await checkUrl(api, body.url) } : {}), ...(body.events !== undefined ? { events: checkEvents(api, body.events) } : {}) };
    await state.putEndpoint(updated);
    send(res, 200, endpointView(updated));
    return true;
  }
  if (sub === undefined && method === 'DELETE') {
    ownEndpoint(api, owner, id);
    await state.removeEndpoint(id);
    send(res, 200, { id, deleted: true });
    return true;
  }
  if (sub === 'deliveries' && method === 'GET') {
    ownEndpoint(api, owner, id);
    send(res, 200, { data: [...state.deliveries.values()].filter((d) => d.endpointId === id).map(deliveryView) });
    return true;
  }
  return false;
}

/** /v1/deliveries[/id[/retry]]: true when the call was answered. */
async function routeDeliveries(api: Api, { res, method, owner, id, sub }: Call): Promise<boolean> {
  const { state } = api;
  const mine = (d: SandboxDelivery) => d.endpointId === 'target' || state.endpoints.get(d.endpointId)?.owner === owner;
  if (id === undefined) {
    if (method !== 'GET') return false;
    send(res, 200, { data: [...state.deliveries.values()].filter(mine).map(deliveryView) });
    return true;
  }
  if (sub !== undefined && sub !== 'retry') return false;
  const delivery = state.deliveries.get(id);
  if (!delivery || !mine(delivery)) throw new ApiError(404, 'NOT_FOUND', `no delivery ${id}`);
  if (sub === undefined && method === 'GET') {
    send(res, 200, deliveryView(delivery));
    return true;
  }
  if (sub === 'retry' && method === 'POST') {
    await api.engine.retryNow(delivery);
    send(res, 200, deliveryView(delivery));
    return true;
  }
  return false;
}

/** /v1/target[/enable] (only with --deliver-as): true when the call was answered. */
async function routeTarget(api: Api, target: NonNullable<SandboxOptions['deliverAs']>, { res, method, id }: Call): Promise<boolean> {
  const view = () => {
    const health = api.state.health.get('target');
    return {
      provider: target.profile.name,
      url: target.url,
      status: health?.disabledAt ? 'disabled' : 'enabled',
      failing_since: health?.failingSince ?? null,
      disabled_at: health?.disabledAt ?? null,
      retry_mode: api.schedule.mode,
      max_attempts: api.schedule.attempts,
    };
  };
  if (id === undefined && method === 'GET') {
    send(res, 200, view());
    return true;
  }
  if (id === 'enable' && method === 'POST') {
    await api.engine.enable('target');
    send(res, 200, view());
    return true;
  }
  return false;
}

async function route(api: Api, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const parts = url.pathname.split('/').filter(Boolean);
  const method = req.method ?? 'GET';
  const notFound = () => new ApiError(404, 'NOT_FOUND', `no route ${method} ${url.pathname}; see docs/sandbox.md`);
  if (parts[0] !== 'v1') throw notFound();
  const owner = authenticate(req);
  const [, resource, id, sub] = parts;
  const call: Call = { req, res, method, owner, id, sub };
  if (resource === 'webhooks' && (await routeWebhooks(api, call))) return;
  if (resource === 'deliveries' && (await routeDeliveries(api, call))) return;
  const target = api.options.deliverAs;
  if (resource === 'target' && target && (await routeTarget(api, target, call))) return;
  if (resource === 'events' && id === undefined && method === 'POST') return send(res, 202, await emit(api, owner, await readJson(req)));
  throw notFound();
}

/**
 * Start `webhook sandbox`: a PayKore-compatible API on loopback that registers endpoints,
 * emits signed deliveries, retries on PayKore's schedule (scaled) and abandons, with manual retry.
 */
export async function startSandbox(options: SandboxOptions, deps: SandboxDeps): Promise<Sandbox> {
  const emitting = options.deliverAs?.profile ?? paykore;
  const schedule = retryScheduleFor(emitting, { mode: options.mode, abandonAfter: options.abandonAfter });
  const state = await SandboxState.open(options.storeDir, deps.onWarning);
  const catalog = await listEvents(emitting, {}, options.cwd ?? process.cwd(), options.fixtures ?? []);
  const engine = deliveryEngine(options, deps, state, emitting, schedule);
  engine.resume();
  const api: Api = { options, deps, emitting, schedule, state, engine, catalog, now: () => new Date(deps.clock.now()).toISOString() };

  const server = await startHttpServer(
    (req, res) => {
      route(api, req, res).catch((error: unknown) => {
        if (res.headersSent) return res.destroy();
        if (error instanceof ApiError) return send(res, error.status, { error: { code: error.code, message: error.message } });
        if (error instanceof WebhookError) return send(res, 400, { error: { code: 'INVALID_REQUEST', message: error.message } });
        send(res, 500, { error: { code: 'INTERNAL', message: (error as Error).message } });
      });
    },
    { port: options.port, host: options.host },
  );
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    schedule,
    close: () =>
      (closing ??= (async () => {
        await engine.close();
        await server.close();
        await state.close();
      })()),
  };
}
