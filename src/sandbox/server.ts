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

/**
 * Start `webhook sandbox`: a PayKore-compatible API on loopback that registers endpoints,
 * emits signed deliveries, retries on PayKore's schedule (scaled) and abandons, with manual retry.
 */
export async function startSandbox(options: SandboxOptions, deps: SandboxDeps): Promise<Sandbox> {
  const emitting = options.deliverAs?.profile ?? paykore;
  const schedule = retryScheduleFor(emitting, { mode: options.mode, abandonAfter: options.abandonAfter });
  const state = await SandboxState.open(options.storeDir, deps.onWarning);
  const catalog = await listEvents(emitting, {}, options.cwd ?? process.cwd(), options.fixtures ?? []);
  const engine = new DeliveryEngine(state, {
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
  engine.resume();
  const now = () => new Date(deps.clock.now()).toISOString();

  const authenticate = (req: IncomingMessage): string => {
    const key = req.headers['x-api-key'];
    if (typeof key !== 'string' || key === '') throw new ApiError(401, 'UNAUTHORIZED', 'missing X-API-Key header: use a test key such as sk_test_0123456789');
    if (!API_KEY_PATTERN.test(key)) throw new ApiError(401, 'INVALID_API_KEY', 'invalid API key: sandbox keys look like sk_test_ followed by 8 or more letters, digits or _');
    return ownerOf(key);
  };

  const checkUrl = async (raw: unknown): Promise<string> => {
    const url = parseWebhookUrl(raw);
    if (!options.allowPrivate) {
      const address = await privateAddressOf(url, deps.lookup ?? systemLookup);
      if (address !== undefined) {
        const where = address === url.hostname.replace(/^\[|\]$/g, '') ? address : `${url.hostname} (${address})`;
        throw new ApiError(400, 'INVALID_WEBHOOK_URL', `${where} is a private or link-local address: the sandbox refuses such webhook URLs; start it with --allow-private to accept them`);
      }
    }
    return url.toString();
  };

  const checkEvents = (raw: unknown): string[] => {
    if (raw === undefined) return [...catalog];
    if (!Array.isArray(raw) || raw.some((e) => typeof e !== 'string')) throw new ApiError(400, 'INVALID_REQUEST', '"events" must be a list of event names');
    const unknown = (raw as string[]).filter((e) => e !== '*' && !catalog.includes(e));
    if (unknown.length > 0) throw new ApiError(400, 'INVALID_EVENT', `unknown event ${unknown.map((e) => `"${e}"`).join(', ')}; valid events: ${catalog.join(', ')}`);
    return (raw as string[]).includes('*') ? [...catalog] : (raw as string[]);
  };

  const ownEndpoint = (owner: string, id: string): Endpoint => {
    const endpoint = state.endpoints.get(id);
    if (!endpoint || endpoint.owner !== owner) throw new ApiError(404, 'NOT_FOUND', `no webhook endpoint ${id}`);
    return endpoint;
  };

  async function emit(owner: string, body: Record<string, unknown>) {
    const event = body.event;
    if (typeof event !== 'string' || !catalog.includes(event)) {
      throw new ApiError(400, 'INVALID_EVENT', `"event" must be one of: ${catalog.join(', ')}`);
    }
    let bytes: Uint8Array;
    if (body.data !== undefined) {
      bytes = Buffer.from(JSON.stringify(emitting.name === 'koard' ? { type: event, timestamp: now(), data: body.data } : { event, data: body.data }));
    } else {
      bytes = (await loadFixture({ provider: emitting.name, event, fixtures: options.fixtures ?? [], cwd: options.cwd ?? process.cwd(), clock: deps.clock })).body;
    }
    const eventId = newMessageId(emitting);
    // One copy of the body per event: every delivery and every attempt sends this same Buffer.
    const emitted = { id: eventId, event, provider: emitting.name, body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), createdAt: now() };
    const targets = options.deliverAs
      ? [{ endpointId: 'target', url: options.deliverAs.url }]
      : [...state.endpoints.values()].filter((e) => e.owner === owner && e.events.includes(event)).map((e) => ({ endpointId: e.id, url: e.url }));
    const created = targets.map(
      (t): SandboxDelivery => ({ id: newId('dlv'), eventId, event, provider: emitting.name, endpointId: t.endpointId, url: t.url, state: 'pending', attempts: [], createdAt: now() }),
    );
    for (const d of created) {
      // A disabled endpoint gets nothing until it is enabled again; the delivery can be retried by hand.
      if (engine.isDisabled(d.endpointId)) Object.assign(d, { state: 'abandoned', abandonedReason: 'endpoint disabled' });
    }
    await Promise.all([state.putEvent(emitted), ...created.map((d) => state.putDelivery(d))]);
    for (const d of created) if (d.state === 'pending') engine.start(d);
    return { event, event_id: eventId, deliveries: created.map((d) => d.id) };
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const parts = url.pathname.split('/').filter(Boolean);
    const method = req.method ?? 'GET';
    if (parts[0] !== 'v1') throw new ApiError(404, 'NOT_FOUND', `no route ${method} ${url.pathname}; see docs/sandbox.md`);
    const owner = authenticate(req);
    const [, resource, id, sub] = parts;
    if (resource === 'webhooks' && id === undefined && method === 'POST') {
      const body = await readJson(req);
      const endpoint: Endpoint = {
        id: newId('wh'),
        url: await checkUrl(body.url),
        events: checkEvents(body.events),
        secret: `whsec_${randomBytes(24).toString('base64')}`,
        status: 'active',
        createdAt: now(),
        description: typeof body.description === 'string' ? body.description : undefined,
        owner,
      };
      await state.putEndpoint(endpoint);
      return send(res, 201, endpointView(endpoint, true));
    }
    if (resource === 'webhooks' && id === undefined && method === 'GET') {
      return send(res, 200, { data: [...state.endpoints.values()].filter((e) => e.owner === owner).map((e) => endpointView(e)) });
    }
    if (resource === 'webhooks' && id !== undefined && sub === undefined && method === 'GET') return send(res, 200, endpointView(ownEndpoint(owner, id)));
    if (resource === 'webhooks' && id !== undefined && sub === undefined && method === 'PATCH') {
      const endpoint = ownEndpoint(owner, id);
      const body = await readJson(req);
      const updated: Endpoint = { ...endpoint, ...(body.url !== undefined ? { url: await checkUrl(body.url) } : {}), ...(body.events !== undefined ? { events: checkEvents(body.events) } : {}) };
      await state.putEndpoint(updated);
      return send(res, 200, endpointView(updated));
    }
    if (resource === 'webhooks' && id !== undefined && sub === undefined && method === 'DELETE') {
      ownEndpoint(owner, id);
      await state.removeEndpoint(id);
      return send(res, 200, { id, deleted: true });
    }
    if (resource === 'webhooks' && id !== undefined && sub === 'deliveries' && method === 'GET') {
      ownEndpoint(owner, id);
      return send(res, 200, { data: [...state.deliveries.values()].filter((d) => d.endpointId === id).map(deliveryView) });
    }
    if (resource === 'deliveries' && id === undefined && method === 'GET') {
      const mine = (d: SandboxDelivery) => d.endpointId === 'target' || state.endpoints.get(d.endpointId)?.owner === owner;
      return send(res, 200, { data: [...state.deliveries.values()].filter(mine).map(deliveryView) });
    }
    if (resource === 'deliveries' && id !== undefined && (sub === undefined || sub === 'retry')) {
      const delivery = state.deliveries.get(id);
      const visible = delivery && (delivery.endpointId === 'target' || state.endpoints.get(delivery.endpointId)?.owner === owner);
      if (!delivery || !visible) throw new ApiError(404, 'NOT_FOUND', `no delivery ${id}`);
      if (sub === undefined && method === 'GET') return send(res, 200, deliveryView(delivery));
      if (sub === 'retry' && method === 'POST') {
        await engine.retryNow(delivery);
        return send(res, 200, deliveryView(delivery));
      }
    }
    if (resource === 'target' && options.deliverAs && (id === undefined || id === 'enable')) {
      const target = options.deliverAs;
      const view = () => {
        const health = state.health.get('target');
        return {
          provider: target.profile.name,
          url: target.url,
          status: health?.disabledAt ? 'disabled' : 'enabled',
          failing_since: health?.failingSince ?? null,
          disabled_at: health?.disabledAt ?? null,
          retry_mode: schedule.mode,
          max_attempts: schedule.attempts,
        };
      };
      if (id === undefined && method === 'GET') return send(res, 200, view());
      if (id === 'enable' && method === 'POST') {
        await engine.enable('target');
        return send(res, 200, view());
      }
    }
    if (resource === 'events' && id === undefined && method === 'POST') return send(res, 202, await emit(owner, await readJson(req)));
    throw new ApiError(404, 'NOT_FOUND', `no route ${method} ${url.pathname}; see docs/sandbox.md`);
  }

  const server = await startHttpServer(
    (req, res) => {
      route(req, res).catch((error: unknown) => {
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
