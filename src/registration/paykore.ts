import { request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { FailureError } from '../errors.js';
import { checkUntrusted } from '../untrusted-json.js';
import type { RegistrationApi } from './types.js';

/** Marks endpoints this tool registered, so stale ones can be recognised and pruned later. */
export const ENDPOINT_MARKER = 'webhook-cli listen';

/** PayKore's API base and key. */
export type PaykoreApi = RegistrationApi;

export interface RegisteredEndpoint {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[];
  /** Returned once, at creation; kept in memory only. */
  readonly secret?: string;
  readonly description?: string;
  readonly created_at?: string;
}

/** An endpoint as the API answers it: checked, so a malformed or hostile answer is one clear error, not `undefined` flowing on. */
const registeredEndpointSchema = z.looseObject({
  id: z.string().min(1),
  url: z.string(),
  events: z.array(z.string()).default([]),
  secret: z.string().min(1).optional(),
  description: z.string().optional(),
  created_at: z.string().optional(),
});
const endpointListSchema = z.looseObject({ data: z.array(registeredEndpointSchema) });
const deliveryListSchema = z.looseObject({ data: z.array(z.looseObject({ id: z.string().min(1), event: z.string(), state: z.string() })) });
const apiErrorSchema = z.looseObject({ error: z.looseObject({ code: z.string().optional(), message: z.string().optional() }) });

/** What an answer must be: its schema and what it is called in an error ("an endpoint"). */
interface Expected<T> {
  readonly schema: z.ZodType<T>;
  readonly what: string;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
/** One API call; with `expected`, its answer checked against it (without, the answer is not used). */
async function call<T>(api: PaykoreApi, method: Method, path: string, expected: Expected<T>, body?: unknown): Promise<T>;
async function call(api: PaykoreApi, method: Method, path: string, expected?: undefined, body?: unknown): Promise<undefined>;
async function call<T>(api: PaykoreApi, method: Method, path: string, expected?: Expected<T>, body?: unknown): Promise<T | undefined> {
  const url = new URL(path, api.apiBase.endsWith('/') ? api.apiBase : `${api.apiBase}/`);
  const timeoutMs = api.timeoutMs ?? 10_000;
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, {
      method,
      headers: { 'x-api-key': api.apiKey, 'content-type': 'application/json', 'user-agent': 'webhook-cli' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      ...(api.dispatcher ? { dispatcher: api.dispatcher } : {}),
    });
  } catch (error) {
    throw new FailureError(`cannot reach the PayKore API at ${api.apiBase}: ${(error as Error).message}`, {
      hint: 'check --api-base / PAYKORE_API_BASE (for a local sandbox: webhook sandbox), or pass --no-register',
    });
  }
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (res.statusCode >= 300) {
    const apiError = apiErrorSchema.safeParse(json);
    const error = apiError.success ? apiError.data.error : undefined;
    const what = error ? `${error.code ?? res.statusCode}: ${error.message ?? ''}` : `HTTP ${res.statusCode}`;
    throw new FailureError(`PayKore ${method} ${url.pathname} failed (${what})`, {
      hint: res.statusCode === 401 ? 'check PAYKORE_API_KEY (a test key looks like sk_test_...)' : res.statusCode === 400 ? 'PayKore needs an HTTPS public URL: start a tunnel (NGROK_AUTHTOKEN) or pass --public-url' : undefined,
    });
  }
  if (!expected) return undefined;
  const hint = 'check --api-base / PAYKORE_API_BASE: it should be the PayKore API (for a local sandbox: webhook sandbox)';
  if (json === undefined) throw new FailureError(`PayKore ${method} ${url.pathname} answered something that is not JSON`, { hint });
  const checked = checkUntrusted(expected.schema, json, expected.what);
  if ('problem' in checked) throw new FailureError(`PayKore ${method} ${url.pathname} answered something that is not ${expected.what} (${checked.problem})`, { hint });
  return checked.value;
}

const endpoint: Expected<RegisteredEndpoint> = { schema: registeredEndpointSchema, what: 'an endpoint' };

/** Register a URL for events (all when empty); the answer holds the secret, once. */
export function createEndpoint(api: PaykoreApi, input: { url: string; events?: readonly string[] | undefined; description?: string }): Promise<RegisteredEndpoint> {
  return call(api, 'POST', 'v1/webhooks', endpoint, { url: input.url, ...(input.events && input.events.length > 0 ? { events: input.events } : {}), description: input.description ?? ENDPOINT_MARKER });
}

/** Point an endpoint at a new URL; its secret and event filter stay. */
export function updateEndpoint(api: PaykoreApi, id: string, input: { url: string }): Promise<RegisteredEndpoint> {
  return call(api, 'PATCH', `v1/webhooks/${encodeURIComponent(id)}`, endpoint, input);
}

export async function deleteEndpoint(api: PaykoreApi, id: string): Promise<void> {
  await call(api, 'DELETE', `v1/webhooks/${encodeURIComponent(id)}`);
}

export async function listEndpoints(api: PaykoreApi): Promise<RegisteredEndpoint[]> {
  return (await call(api, 'GET', 'v1/webhooks', { schema: endpointListSchema, what: 'a list of endpoints' })).data;
}

/** Ask PayKore to retry a delivery (catch-up after downtime). */
export async function retryDelivery(api: PaykoreApi, id: string): Promise<void> {
  await call(api, 'POST', `v1/deliveries/${encodeURIComponent(id)}/retry`);
}

export interface RemoteDelivery {
  readonly id: string;
  readonly event: string;
  readonly state: string;
}

export async function listDeliveries(api: PaykoreApi, endpointId: string): Promise<RemoteDelivery[]> {
  return (await call(api, 'GET', `v1/webhooks/${encodeURIComponent(endpointId)}/deliveries`, { schema: deliveryListSchema, what: 'a list of deliveries' })).data;
}
