import type { ServerResponse } from 'node:http';
import { BodyTooLargeError, readBody, startHttpServer } from '../http/server.js';
import { unixSeconds, type Clock } from '../clock.js';
import type { ProviderProfile } from '../providers/types.js';

export interface DemoAppOptions {
  /** Providers the app accepts, each at POST /webhooks/<name>, with the secret it verifies with. */
  readonly providers: readonly { readonly profile: ProviderProfile; readonly secret: () => string | undefined }[];
  /** Event types the app answers 422 to (a handler that rejects what it cannot process). */
  readonly rejectEvents?: readonly string[];
  readonly clock: Clock;
}

export interface DemoAppDelivery {
  readonly provider: string;
  readonly event?: string | undefined;
  readonly status: number;
  readonly reason: string;
}

export interface DemoApp {
  readonly url: string;
  /** What the app answered, in arrival order. */
  readonly deliveries: readonly DemoAppDelivery[];
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

/**
 * A small webhook handler done right, for `webhook demo` and tests: it verifies the raw bytes
 * with the provider's scheme, dedupes on the message id, and answers quickly.
 */
export async function startDemoApp(options: DemoAppOptions): Promise<DemoApp> {
  const byName = new Map(options.providers.map((p) => [p.profile.name, p]));
  const reject = new Set(options.rejectEvents ?? []);
  const deliveries: DemoAppDelivery[] = [];
  const seen = new Set<string>();

  const answer = (res: ServerResponse, record: DemoAppDelivery) => {
    deliveries.push(record);
    res.writeHead(record.status, { 'content-type': 'application/json' }).end(`${JSON.stringify({ ok: record.status < 300, reason: record.reason })}\n`);
  };

  const server = await startHttpServer((req, res) => {
    void (async () => {
      const name = /^\/webhooks\/([a-z0-9-]+)\/?(?:\?.*)?$/.exec(req.url ?? '')?.[1];
      const entry = name === undefined ? undefined : byName.get(name);
      if (req.method !== 'POST' || !entry) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`POST /webhooks/<${[...byName.keys()].join('|')}>\n`);
        return;
      }
      let body: Buffer;
      try {
        body = await readBody(req, MAX_BODY, { drain: true });
      } catch (error) {
        if (error instanceof BodyTooLargeError) return answer(res, { provider: entry.profile.name, status: 413, reason: 'body too large' });
        throw error;
      }
      const secret = entry.secret();
      if (secret === undefined) return answer(res, { provider: entry.profile.name, status: 503, reason: 'the app has no secret yet' });
      const verdict = entry.profile.scheme.verify({ body, secret, headers: req.headers, now: unixSeconds(options.clock) });
      if (!verdict.ok) return answer(res, { provider: entry.profile.name, status: 401, reason: `signature: ${verdict.reason}` });
      let event: string | undefined;
      try {
        event = entry.profile.eventType(JSON.parse(body.toString('utf8')), req.headers);
      } catch {
        return answer(res, { provider: entry.profile.name, status: 400, reason: 'body is not JSON' });
      }
      if (event !== undefined && reject.has(event)) return answer(res, { provider: entry.profile.name, event, status: 422, reason: `the app does not handle ${event}` });
      const id = [req.headers['svix-id'], req.headers['webhook-id']].find((v) => typeof v === 'string');
      const key = id === undefined ? undefined : `${entry.profile.name}:${id}`;
      if (key !== undefined && seen.has(key)) return answer(res, { provider: entry.profile.name, event, status: 200, reason: 'duplicate ignored' });
      if (key !== undefined) seen.add(key);
      answer(res, { provider: entry.profile.name, event, status: 200, reason: 'processed' });
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  return { url: server.url, deliveries, close: server.close };
}
