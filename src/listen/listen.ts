import type { Clock } from '../clock.js';
import { UsageError } from '../errors.js';
import type { EndpointRegistrar } from '../registration/types.js';
import { maskSecret } from '../secrets.js';
import { openDeliveryLog, type DeliveryLog } from '../store/delivery-log.js';
import type { OutcomeRecord, RequestRecord } from '../store/types.js';
import type { Tunnel, TunnelOpener } from '../tunnel/types.js';
import { startControl, type Control } from './control.js';
import type { ListenEvent } from '../listen-events.js';
import { DEFAULT_MAX_BODY_BYTES, startReceiver, type Receiver, type ReceiverOptions } from './receiver.js';
import { catchUpMarker, startRegistration, type RegistrationPart } from './register.js';
import { selfCheckGate, startSelfCheck, type SelfCheckGate } from './self-check.js';
import { publishSession } from './session.js';
import type { SessionInfo } from '../session-protocol.js';
import { tunnelPart } from './tunnel-part.js';


/** The receiver's settings a session passes through as given (see ReceiverOptions). */
type ReceiverSettings = Pick<ReceiverOptions, 'profile' | 'forwardTo' | 'routes' | 'events' | 'port' | 'maxBodyBytes' | 'guard' | 'timeoutMs'>;

export interface ListenOptions extends ReceiverSettings {
  /** Verification secret (--secret / env); replaced by the registered endpoint's secret. */
  readonly secret?: string | undefined;
  readonly storeDir: string;
  readonly tunnel: TunnelOpener;
  /** The provider's registration (its profile makes it): register the public URL on start, delete it on stop. */
  readonly registration?: EndpointRegistrar | undefined;
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

/** The receiver part: the public HTTP server; a taken --port is the user's to fix. */
async function openReceiver(options: ListenOptions, deps: ListenDeps, log: DeliveryLog, hooks: { publicUrl: () => string | undefined; secret: () => string | undefined; gate: SelfCheckGate; source: () => 'catch-up' | undefined }): Promise<Receiver> {
  const { onEvent } = deps;
  return startReceiver({
    publicUrl: hooks.publicUrl,
    profile: options.profile,
    secret: hooks.secret,
    forwardTo: options.forwardTo,
    ...(options.routes ? { routes: options.routes } : {}),
    ...(options.events ? { events: options.events } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.guard ? { guard: options.guard } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    log,
    clock: deps.clock,
    onDelivery: (request, outcome) => onEvent({ type: 'delivery', request, outcome }),
    onProblem: (message) => onEvent({ type: 'warning', message }),
    selfCheck: hooks.gate,
    sourceNow: hooks.source,
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') throw new UsageError(`port ${options.port} is already in use`, { hint: 'pick another --port, or leave it out for a free one' });
    throw error;
  });
}

/** Send a recorded delivery to the app again through the receiver: same bytes and headers, linked to the original. */
async function replay(log: DeliveryLog, receiver: Receiver, id: string): Promise<{ request: RequestRecord; outcome: OutcomeRecord }> {
  const original = await log.load(id);
  if (!original) throw new UsageError(`no delivery ${id} in this session's log`);
  const { request } = original;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name] = typeof value === 'string' ? value : value.join(', ');
  const done = await receiver.handle({ method: request.method, path: request.path, headers, body: Buffer.from(request.bodyBase64, 'base64'), source: 'replay', replayOf: id });
  return { request: done.request, outcome: done.outcome };
}

function readyEvent(options: ListenOptions, tunnel: Tunnel, localUrl: string, registration: RegistrationPart, secret: string | undefined): ListenEvent {
  return {
    type: 'ready',
    tunnel: { kind: tunnel.kind, ...tunnel.details },
    localUrl,
    publicUrl: tunnel.publicUrl,
    endpointId: registration.endpointId,
    endpointKept: registration.endpointId !== undefined && registration.kept,
    forwardTo: options.forwardTo.toString(),
    provider: options.profile.name,
    secret: secret === undefined ? undefined : options.printSecret ? secret : maskSecret(secret),
    secretShown: options.printSecret === true,
  };
}

/** What the session file tells `trigger`: where this session's receiver and control endpoint are. */
function sessionInfo(options: ListenOptions, localUrl: string, publicUrl: string | undefined, control: Control, clock: Clock): SessionInfo {
  return {
    pid: process.pid,
    provider: options.profile.name,
    localUrl,
    ...(publicUrl ? { publicUrl } : {}),
    forwardTo: options.forwardTo.toString(),
    controlUrl: control.url,
    token: control.token,
    startedAt: new Date(clock.now()).toISOString(),
    ...(options.events && options.events.length > 0 ? { events: options.events } : {}),
  };
}

/** Stops pushed as parts start, run in reverse (each once, failures ignored so the rest still run). */
function stopStack() {
  const stops: (() => Promise<void>)[] = [];
  return {
    push: (stop: () => Promise<void>) => void stops.push(stop),
    stopAll: async () => {
      for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
    },
  };
}

/**
 * Run a `listen` session: its parts start in order (log, receiver, tunnel, registration,
 * self-check, control endpoint, session file), each stop pushed on one stack; stop, or a failure
 * while starting, runs the stack in reverse. Everything it does is reported through `onEvent`.
 */
export async function startListen(options: ListenOptions, deps: ListenDeps): Promise<ListenSession> {
  const { clock, onEvent } = deps;
  const stops = stopStack();
  const log = options.log ?? (await openDeliveryLog(options.storeDir));
  if (!options.log) for (const warning of log.warnings) onEvent({ type: 'warning', message: warning });
  if (!options.log) stops.push(() => log.close());
  try {
    let secret = options.secret;
    const gate = selfCheckGate();
    const catchUp = catchUpMarker();
    const tunnel = tunnelPart(options.tunnel, deps.signal, onEvent);
    const receiver = await openReceiver(options, deps, log, { publicUrl: tunnel.publicUrl, secret: () => secret, gate, source: catchUp.source });
    stops.push(() => receiver.close());
    await tunnel.open(receiver);
    stops.push(() => tunnel.stop());

    const keep = options.catchUp === true ? 'catch-up' : options.keepEndpoint === true ? 'keep-endpoint' : undefined;
    const registration = await startRegistration(options.registration, { profile: options.profile, storeDir: options.storeDir, clock, publicUrl: tunnel.publicUrl(), localUrl: receiver.url, keep, catchUp, onEvent });
    stops.push(registration.stop);
    secret = registration.secret ?? secret;
    tunnel.onReopened(registration.moved);

    const selfCheck = startSelfCheck({ gate, tunnel, localUrl: receiver.url, profile: options.profile, secret: () => secret, clock, intervalMs: options.selfCheckIntervalMs, giveUpAfterMs: options.giveUpAfterMs, onEvent });
    stops.push(selfCheck.stop);
    const control = await startControl({ receiver, profile: options.profile, secret: () => secret, publicUrl: tunnel.publicUrl, maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, clock });
    stops.push(control.stop);
    if (options.writeSessionFile !== false) stops.push((await publishSession(options.storeDir, sessionInfo(options, receiver.url, tunnel.publicUrl(), control, clock))).stop);

    onEvent(readyEvent(options, tunnel.current(), receiver.url, registration, secret));
    registration.catchUp();
    const endpointId = registration.endpointId;
    return {
      log,
      receiver,
      get tunnel() {
        return tunnel.current();
      },
      localUrl: receiver.url,
      publicUrl: tunnel.publicUrl,
      endpointId: () => endpointId,
      secret: () => secret,
      failed: selfCheck.failed,
      replay: (id) => replay(log, receiver, id),
      stop: stops.stopAll,
    };
  } catch (error) {
    await stops.stopAll();
    throw error;
  }
}
