import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { sendRequest } from '../delivery/send.js';
import { signRequest } from '../delivery/sign.js';
import type { ProviderProfile } from '../providers/types.js';
import type { ListenEvent } from '../listen-events.js';
import { monitorHealth } from './health.js';
import { senderUrl } from './receiver.js';
import type { TunnelPart } from './tunnel-part.js';

const SELF_CHECK_HEADER = 'x-webhook-self-check';

/** What marks a self-check request: the receiver answers it 204 itself, the app never sees it. */
export interface SelfCheckGate {
  readonly header: string;
  readonly token: string;
}

/** A fresh gate for one session (the receiver gets it at start, the self-check sends it). */
export const selfCheckGate = (): SelfCheckGate => ({ header: SELF_CHECK_HEADER, token: randomBytes(18).toString('base64url') });

export interface SelfCheckOptions {
  readonly gate: SelfCheckGate;
  readonly tunnel: TunnelPart;
  /** The receiver's URL: checked when there is no public one. */
  readonly localUrl: string;
  readonly profile: ProviderProfile;
  readonly secret: () => string | undefined;
  readonly clock: Clock;
  /** Time between checks (default 60 s; 0: never). */
  readonly intervalMs?: number | undefined;
  /** Give up when the public path stays broken this long (default 3 min). */
  readonly giveUpAfterMs?: number | undefined;
  readonly onEvent: (event: ListenEvent) => void;
}

export interface SelfCheckPart {
  /** Resolves with the reason when the public path broke and could not be repaired in time (never without a tunnel). */
  readonly failed: Promise<string>;
  stop(): Promise<void>;
}

/** One request through the public URL (signed like the provider's, when there is a secret): undefined when the receiver answered it. */
async function checkOnce(options: SelfCheckOptions): Promise<string | undefined> {
  const { clock, gate } = options;
  const target = options.tunnel.publicUrl() ?? options.localUrl;
  const secret = options.secret();
  const body = Buffer.from(JSON.stringify({ event: 'webhook.self_check', at: new Date(clock.now()).toISOString() }));
  const headers = { ...(secret ? signRequest(options.profile, { body, secret, event: 'webhook.self_check', url: senderUrl(target, '/') }, clock).headers : {}), [gate.header]: gate.token };
  const result = await sendRequest({ url: target, headers, body, timeoutMs: 5_000 }, clock);
  if (result.status === 204) return undefined;
  return result.error ? `self-check through ${target} failed: ${result.error.message}` : `self-check through ${target} was answered ${result.status} by something else`;
}

/**
 * The self-check part: checks the public path end to end every interval and when the tunnel reports
 * trouble; while broken, reopens the tunnel (with backoff) until it works again or time runs out.
 */
export function startSelfCheck(options: SelfCheckOptions): SelfCheckPart {
  const interval = options.intervalMs ?? 60_000;
  const { tunnel, onEvent } = options;
  if (interval <= 0 || tunnel.current().kind === 'none') return { failed: new Promise<string>(() => {}), stop: async () => {} };
  const monitor = monitorHealth({
    intervalMs: interval,
    giveUpAfterMs: options.giveUpAfterMs ?? 180_000,
    check: () => checkOnce(options),
    recover: () => tunnel.recover(),
    clock: options.clock,
    onState: (state, reason) => onEvent({ type: 'tunnel', state, publicUrl: tunnel.publicUrl(), ...(reason ? { reason } : {}) }),
  });
  tunnel.onTrouble(() => monitor.poke());
  return { failed: monitor.gaveUp, stop: async () => monitor.stop() };
}
