import { randomBytes } from 'node:crypto';
import { LOOPBACK_HOSTS } from '../input.js';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../clock.js';
import { signRequest } from '../delivery/sign.js';
import { UsageError } from '../errors.js';
import type { ProviderProfile } from '../providers/types.js';
import { createEndpoint, deleteEndpoint, listDeliveries, listEndpoints, retryDelivery, updateEndpoint, type PaykoreApi } from '../registration/paykore.js';
import { adoptable, endpointDescription, forgetEndpoint, pruneStale, readLedger, readLedgerChecked, recordEndpoint, storeId, type LedgerEntry } from '../registration/ledger.js';
import { maskSecret } from '../secrets.js';
import { openDeliveryLog, type DeliveryLog } from '../store/delivery-log.js';
import type { OutcomeRecord, RequestRecord } from '../store/types.js';
import type { Tunnel, TunnelOpener } from '../tunnel/types.js';
import type { ListenEvent } from './events.js';

import { bytesEqual } from '../signing/compare.js';
import { DEFAULT_MAX_BODY_BYTES, senderUrl, startReceiver, type Receiver, type ReceiverGuard, type Route } from './receiver.js';
import { monitorHealth, type HealthMonitor } from './health.js';
import { sendRequest } from '../delivery/send.js';
import { humanBytes } from '../quantity.js';
import { removeSession, writeSession } from './session.js';
import { parseInjectRequest, SESSION_BODY_SIZE_HEADER, SESSION_TOKEN_HEADER, type InjectResponse, type InjectTooLarge } from '../session-protocol.js';


export interface ListenOptions {
  readonly profile: ProviderProfile;
  /** Verification secret (--secret / env); replaced by the registered endpoint's secret. */
  readonly secret?: string | undefined;
  readonly forwardTo: URL;
  readonly routes?: readonly Route[];
  readonly events?: readonly string[];
  readonly port?: number;
  readonly maxBodyBytes?: number;
  /** What the public receiver accepts: memory and connection budget, methods, verdicts. */
  readonly guard?: ReceiverGuard;
  readonly timeoutMs?: number;
  readonly storeDir: string;
  readonly tunnel: TunnelOpener;
  /** PayKore-style registration: register the public URL on start, delete it on stop. */
  readonly registration?: { readonly api: PaykoreApi; readonly events?: readonly string[] | undefined } | undefined;
  /** Show the registered secret in the ready event (--print-secret). */
  readonly printSecret?: boolean;
  /** A log shared with other sessions (webhook demo); default: the store's own, opened and closed here. */
  readonly log?: DeliveryLog;
  /** Write the session file `trigger` finds (default true). */
  readonly writeSessionFile?: boolean;
  /** Send a self-check through the public URL this often (default 60 s; 0: never). */
  readonly selfCheckIntervalMs?: number;
  /** Exit when the public path stays broken this long (default 3 min). */
  readonly giveUpAfterMs?: number;
  /**
   * Keep the registered endpoint (and its secret, in the store) between sessions; on start, adopt
   * it, point it at the new URL and ask the provider to retry what failed while listen was down.
   */
  readonly catchUp?: boolean;
  /**
   * Keep the registered endpoint and its secret (in the store, mode 0600) between sessions, so the
   * app's secret is set once: the next listen reuses it, moved with PATCH when the URL changed.
   * Only when asked: a secret is never stored otherwise.
   */
  readonly keepEndpoint?: boolean;
}

export interface ListenDeps {
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly onEvent: (event: ListenEvent) => void;
}

export interface ListenSession {
  readonly log: DeliveryLog;
  readonly receiver: Receiver;
  readonly tunnel: Tunnel;
  readonly localUrl: string;
  publicUrl(): string | undefined;
  endpointId(): string | undefined;
  /** The secret deliveries are verified with (registration may have set it); never printed by the session. */
  secret(): string | undefined;
  /** Send a recorded delivery to the app again: same bytes and headers, linked to the original. */
  replay(id: string): Promise<{ request: RequestRecord; outcome: OutcomeRecord }>;
  /** Resolves with the reason when the public path broke and could not be repaired in time. */
  readonly failed: Promise<string>;
  /** Deregister, close the tunnel and servers, remove the session file; idempotent. */
  stop(): Promise<void>;
}

export const SELF_CHECK_HEADER = 'x-webhook-self-check';

const isLoopback = (url: string) => LOOPBACK_HOSTS.has(new URL(url).hostname);

async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new Error(`the request is over ${humanBytes(max)}`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Run a `listen` session: receiver, durable log, tunnel, provider registration and the control
 * endpoint `trigger` injects through. Everything it does is reported through `onEvent`.
 */
export async function startListen(options: ListenOptions, deps: ListenDeps): Promise<ListenSession> {
  const { clock, onEvent } = deps;
  const log = options.log ?? (await openDeliveryLog(options.storeDir));
  if (!options.log) for (const warning of log.warnings) onEvent({ type: 'warning', message: warning });
  let secret = options.secret;
  const selfCheckToken = randomBytes(18).toString('base64url');
  const catchUp = options.catchUp === true;
  /** Provider retries requested by catch-up in flight: what arrives meanwhile is marked as such. */
  let catchingUp = 0;
  const cleanups: (() => Promise<void>)[] = options.log ? [] : [() => log.close()];
  const runCleanups = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  };

  try {
    // The tunnel opens after the receiver; until then senders can only use the local URL.
    let publicUrlNow: () => string | undefined = () => undefined;
    const receiver = await startReceiver({
      publicUrl: () => publicUrlNow(),
      profile: options.profile,
      secret: () => secret,
      forwardTo: options.forwardTo,
      ...(options.routes ? { routes: options.routes } : {}),
      ...(options.events ? { events: options.events } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
      ...(options.guard ? { guard: options.guard } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      log,
      clock,
      onDelivery: (request, outcome) => onEvent({ type: 'delivery', request, outcome }),
      onProblem: (message) => onEvent({ type: 'warning', message }),
      selfCheck: { header: SELF_CHECK_HEADER, token: selfCheckToken },
      sourceNow: () => (catchingUp > 0 ? 'catch-up' : undefined),
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') throw new UsageError(`port ${options.port} is already in use`, { hint: 'pick another --port, or leave it out for a free one' });
      throw error;
    });
    cleanups.push(() => receiver.close());

    let tunnel = await options.tunnel.open({ url: receiver.url, port: receiver.port }, deps.signal);
    publicUrlNow = () => tunnel.publicUrl;
    cleanups.push(() => tunnel.close());
    let monitor: HealthMonitor | undefined;
    const watch = (t: Tunnel) =>
      t.onChange((event) => {
        onEvent({ type: 'tunnel', ...event });
        if (event.state !== 'up') monitor?.poke();
      });
    watch(tunnel);

    let endpointId: string | undefined;
    let registeredUrl: string | undefined;
    const api = options.registration?.api;
    /**
     * The endpoint outlives the session (its secret kept in the store, 0600) with --catch-up, and
     * when the tunnel's URL is stable: the next session reuses it, so the app's secret stays the same.
     */
    const keepEndpoint = () => catchUp || options.keepEndpoint === true;
    const register = async (url: string) => {
      const endpoint = await createEndpoint(api!, { url, events: options.registration!.events, description: endpointDescription(await storeId(options.storeDir), process.pid) });
      await recordEndpoint(options.storeDir, { id: endpoint.id, apiBase: api!.apiBase, url, pid: process.pid, createdAt: new Date(clock.now()).toISOString(), ...(keepEndpoint() && endpoint.secret ? { secret: endpoint.secret } : {}) });
      return endpoint;
    };
    let adopted: LedgerEntry | undefined;
    const deregister = async (id: string) => {
      await deleteEndpoint(api!, id);
      await forgetEndpoint(options.storeDir, id);
    };
    if (api) {
      const url = tunnel.publicUrl ?? (isLoopback(api.apiBase) ? receiver.url : undefined);
      if (!url) {
        onEvent({ type: 'registration', state: 'skipped', reason: `${options.profile.displayName} needs a public URL: set NGROK_AUTHTOKEN, or pass --public-url (or --no-register)` });
      } else {
        for (const message of (await readLedgerChecked(options.storeDir)).problems) onEvent({ type: 'warning', message });
        adopted = keepEndpoint() ? await adoptable(api, options.storeDir) : undefined;
        let gone: LedgerEntry | undefined;
        const listed = adopted ? await listEndpoints(api) : undefined;
        if (adopted && !listed!.some((e) => e.id === adopted!.id)) {
          // Deleted at the provider meanwhile (dashboard, a colleague): adopting it would receive nothing.
          gone = adopted;
          adopted = undefined;
          await forgetEndpoint(options.storeDir, gone.id);
        }
        // Endpoints left by a crashed session (kill -9, power loss) would point at a dead tunnel.
        for (const stale of await pruneStale(api, options.storeDir, listed)) {
          onEvent({ type: 'registration', state: 'pruned', endpointId: stale.id, url: stale.url, reason: stale.why });
        }
        if (adopted) {
          if (adopted.url !== url) await updateEndpoint(api, adopted.id, { url });
          endpointId = adopted.id;
          secret = adopted.secret;
          await recordEndpoint(options.storeDir, { ...adopted, url, pid: process.pid });
          const moved = adopted.url !== url ? `, moved from ${adopted.url}` : '';
          onEvent({ type: 'registration', state: 'adopted', endpointId: adopted.id, url, reason: catchUp ? `kept by --catch-up since ${adopted.createdAt}${moved}` : `the same endpoint and secret as the last session${moved}` });
        } else {
          const endpoint = await register(url);
          endpointId = endpoint.id;
          if (endpoint.secret) secret = endpoint.secret;
          if (gone) onEvent({ type: 'registration', state: 'replaced', endpointId: endpoint.id, url, replaced: gone.id, reason: `the kept endpoint ${gone.id} no longer exists at ${options.profile.displayName}: registered ${endpoint.id} instead, with a new secret` });
          else onEvent({ type: 'registration', state: 'registered', endpointId: endpoint.id, url });
        }
        registeredUrl = url;
        cleanups.push(async () => {
          if (!endpointId) return;
          const id = endpointId;
          if (catchUp) return onEvent({ type: 'registration', state: 'kept', endpointId: id, reason: 'kept for --catch-up: deliveries made while listen is down are retried when it comes back' });
          if (keepEndpoint()) return onEvent({ type: 'registration', state: 'kept', endpointId: id, reason: 'kept by --keep-endpoint: the next listen reuses this endpoint and its secret' });
          await deregister(id).then(
            () => onEvent({ type: 'registration', state: 'deleted', endpointId: id }),
            (error: Error) => onEvent({ type: 'registration', state: 'failed', endpointId: id, reason: `could not delete endpoint ${id}: ${error.message}` }),
          );
        });
      }
    } else if (options.profile.dashboardHint && tunnel.publicUrl) {
      onEvent({ type: 'warning', message: `paste ${tunnel.publicUrl} into ${options.profile.dashboardHint}` });
    }

    /** Reopen the tunnel; when its URL changed, move the endpoint to it (PATCH: the same endpoint and secret). */
    const recover = async () => {
      const old = tunnel;
      await old.close().catch(() => undefined);
      tunnel = await options.tunnel.open({ url: receiver.url, port: receiver.port }, deps.signal);
      watch(tunnel);
      if (api && endpointId && tunnel.publicUrl && tunnel.publicUrl !== registeredUrl) {
        const previous = registeredUrl;
        await updateEndpoint(api, endpointId, { url: tunnel.publicUrl });
        registeredUrl = tunnel.publicUrl;
        const entry = (await readLedger(options.storeDir)).find((e) => e.id === endpointId);
        if (entry) await recordEndpoint(options.storeDir, { ...entry, url: tunnel.publicUrl });
        onEvent({ type: 'registration', state: 'updated', endpointId, url: tunnel.publicUrl, reason: `the tunnel URL changed from ${previous}` });
      }
    };
    const selfCheck = async (): Promise<string | undefined> => {
      const target = tunnel.publicUrl ?? receiver.url;
      const body = Buffer.from(JSON.stringify({ event: 'webhook.self_check', at: new Date(clock.now()).toISOString() }));
      const headers = { ...(secret ? signRequest(options.profile, { body, secret, event: 'webhook.self_check', url: senderUrl(target, '/') }, clock).headers : {}), [SELF_CHECK_HEADER]: selfCheckToken };
      const result = await sendRequest({ url: target, headers, body, timeoutMs: 5_000 }, clock);
      if (result.status === 204) return undefined;
      return result.error ? `self-check through ${target} failed: ${result.error.message}` : `self-check through ${target} was answered ${result.status} by something else`;
    };
    const interval = options.selfCheckIntervalMs ?? 60_000;
    let failed: Promise<string> = new Promise<string>(() => {});
    if (interval > 0 && tunnel.kind !== 'none') {
      monitor = monitorHealth({
        intervalMs: interval,
        giveUpAfterMs: options.giveUpAfterMs ?? 180_000,
        check: selfCheck,
        recover,
        clock,
        onState: (state, reason) => onEvent({ type: 'tunnel', state, publicUrl: tunnel.publicUrl, ...(reason ? { reason } : {}) }),
      });
      failed = monitor.gaveUp;
      cleanups.push(async () => monitor?.stop());
    }

    const session: ListenSession = {
      log,
      receiver,
      get tunnel() {
        return tunnel;
      },
      localUrl: receiver.url,
      publicUrl: () => tunnel.publicUrl,
      endpointId: () => endpointId,
      secret: () => secret,
      failed,
      async replay(id) {
        const original = await log.load(id);
        if (!original) throw new UsageError(`no delivery ${id} in this session's log`);
        const { request } = original;
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(request.headers)) headers[name] = typeof value === 'string' ? value : value.join(', ');
        const done = await receiver.handle({ method: request.method, path: request.path, headers, body: Buffer.from(request.bodyBase64, 'base64'), source: 'replay', replayOf: id });
        return { request: done.request, outcome: done.outcome };
      },
      stop: runCleanups,
    };

    // The control endpoint `webhook trigger` injects through (loopback only, token-checked).
    const token = randomBytes(24).toString('base64url');
    const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const control = createServer((req, res) => {
      void (async () => {
        const given = req.headers[SESSION_TOKEN_HEADER];
        const authorised = typeof given === 'string' && bytesEqual(Buffer.from(given), Buffer.from(token));
        if (req.method !== 'POST' || req.url !== '/inject' || !authorised) {
          res.writeHead(authorised ? 404 : 401, { 'content-type': 'application/json' }).end('{"error":"unauthorised or unknown control request"}\n');
          return;
        }
        // A body over --max-body is refused as the receiver refuses one from the provider: 413,
        // and logged. trigger says the size in a header, so a 50 MB body is drained, never kept
        // or decoded (its event is then not known); a body that did not say is measured.
        const refuseTooLarge = async (bodySize: number, event?: string) => {
          await receiver.handle({ headers: {}, body: Buffer.alloc(0), source: 'trigger', tooLarge: bodySize });
          const answer: InjectTooLarge = {
            error: { kind: 'too-large', message: `${event ? `the ${event} body, ${humanBytes(bodySize)} (${bodySize} bytes),` : `${humanBytes(bodySize)} (${bodySize} bytes)`} is over this listen session's --max-body of ${humanBytes(maxBody)} (${maxBody} bytes)` },
            bodySize,
            maxBodyBytes: maxBody,
          };
          res.writeHead(413, { 'content-type': 'application/json' }).end(`${JSON.stringify(answer)}\n`);
        };
        const declared = Number(req.headers[SESSION_BODY_SIZE_HEADER]);
        if (Number.isSafeInteger(declared) && declared > maxBody) {
          // Drained, not kept: the sender gets its answer once it has finished sending.
          req.resume();
          if (!req.readableEnded) await once(req, 'end');
          await refuseTooLarge(declared);
          return;
        }
        const input = parseInjectRequest((await readBody(req, Math.ceil(maxBody / 3) * 4 + 64 * 1024)).toString('utf8'));
        if (!secret && !input.headers) {
          res.writeHead(409, { 'content-type': 'application/json' }).end(`${JSON.stringify({ error: { message: `this listen session has no ${options.profile.name} secret to sign with: restart it with --secret` } })}\n`);
          return;
        }
        const body = Buffer.from(input.bodyBase64, 'base64');
        if (body.length > maxBody) return refuseTooLarge(body.length, input.event);
        // Recorded headers (an unchanged resend) go out as they were. Otherwise signed for the URL a
        // provider would call: the public one (schemes that sign the URL: Square, HubSpot, Twilio).
        const senderBase = senderUrl(tunnel.publicUrl ?? receiver.url, '/');
        const signed = input.headers ? undefined : signRequest(options.profile, { body, secret: secret!, event: input.event, id: input.id, url: senderBase }, clock);
        const path = signed?.url !== undefined && signed.url !== senderBase ? `/${new URL(signed.url).search}` : '/';
        const done = await receiver.handle({ path, headers: signed?.headers ?? input.headers ?? {}, body: signed ? Buffer.from(signed.body) : body, source: input.source ?? 'trigger', replayOf: input.replayOf });
        const answer: InjectResponse = {
          id: done.request.id,
          ...(done.request.messageId !== undefined ? { messageId: done.request.messageId } : {}),
          ...(signed ? { signedId: signed.id } : {}),
          provider: options.profile.name,
          url: done.outcome.target,
          ...(done.outcome.status !== undefined ? { status: done.outcome.status } : {}),
          ok: done.outcome.status !== undefined && done.outcome.status >= 200 && done.outcome.status < 300,
          durationMs: done.outcome.durationMs,
          ...(done.outcome.error ? { error: done.outcome.error } : {}),
          bodyExcerpt: done.body.subarray(0, 200).toString('utf8'),
          ...(done.outcome.skipped !== undefined ? { skipped: done.outcome.skipped } : {}),
        };
        res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(answer)}\n`);
      })().catch((error: Error) => {
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'application/json' }).end(`${JSON.stringify({ error: { message: error.message } })}\n`);
      });
    });
    await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          control.close(() => resolve());
          control.closeAllConnections();
        }),
    );
    if (options.writeSessionFile !== false) await writeSession(options.storeDir, {
      pid: process.pid,
      provider: options.profile.name,
      localUrl: receiver.url,
      ...(tunnel.publicUrl ? { publicUrl: tunnel.publicUrl } : {}),
      forwardTo: options.forwardTo.toString(),
      controlUrl: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
      token,
      startedAt: new Date(clock.now()).toISOString(),
      ...(options.events && options.events.length > 0 ? { events: options.events } : {}),
    });
    if (options.writeSessionFile !== false) cleanups.push(() => removeSession(options.storeDir, process.pid));

    onEvent({
      type: 'ready',
      tunnel: { kind: tunnel.kind, ...tunnel.details },
      localUrl: receiver.url,
      publicUrl: tunnel.publicUrl,
      endpointId,
      endpointKept: endpointId !== undefined && keepEndpoint(),
      forwardTo: options.forwardTo.toString(),
      provider: options.profile.name,
      secret: secret === undefined ? undefined : options.printSecret ? secret : maskSecret(secret),
      secretShown: options.printSecret === true,
    });
    if (catchUp && adopted && api && endpointId) {
      // Ask the provider to retry, one at a time, what failed while listen was down.
      const id = endpointId;
      void (async () => {
        for (const d of await listDeliveries(api, id)) {
          if (d.state !== 'retrying' && d.state !== 'abandoned') continue;
          catchingUp++;
          try {
            await retryDelivery(api, d.id);
            onEvent({ type: 'catch-up', delivery: d.id, event: d.event, state: 'retried' });
          } finally {
            catchingUp--;
          }
        }
      })().catch((error: Error) => onEvent({ type: 'warning', message: `catch-up stopped: ${error.message}` }));
    }
    return session;
  } catch (error) {
    await runCleanups();
    throw error;
  }
}
