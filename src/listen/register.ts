import type { Clock } from '../clock.js';
import type { ProviderProfile } from '../providers/types.js';
import type { EndpointRegistrar, RegistrationContext } from '../registration/types.js';
import type { ListenEvent } from '../listen-events.js';

export interface RegisterOptions {
  readonly profile: ProviderProfile;
  readonly storeDir: string;
  readonly clock: Clock;
  /** The URL the provider is to deliver to; undefined without a tunnel. */
  readonly publicUrl: string | undefined;
  /** The receiver's URL: registered when the API is on loopback too (a local sandbox) and there is no public one. */
  readonly localUrl: string;
  readonly keep: RegistrationContext['keep'];
  /** Marks what arrives while catch-up retries are in flight. */
  readonly catchUp: CatchUpMarker;
  readonly onEvent: (event: ListenEvent) => void;
}

/** The registration part, once started. */
export interface RegistrationPart {
  readonly endpointId: string | undefined;
  /** The endpoint's secret (it replaces the one given), when there is one. */
  readonly secret: string | undefined;
  /** The endpoint outlives the session (--catch-up, --keep-endpoint). */
  readonly kept: boolean;
  /** The public URL changed: move the endpoint to it. */
  moved(publicUrl: string | undefined): Promise<void>;
  /** Start the catch-up (after adopting a kept endpoint with --catch-up), reporting a failure as a warning. */
  catchUp(): void;
  stop(): Promise<void>;
}

/** Provider retries asked for by catch-up, in flight: `source` marks what the receiver records meanwhile. */
export interface CatchUpMarker {
  source(): 'catch-up' | undefined;
  around(retry: () => Promise<void>): Promise<void>;
}

export function catchUpMarker(): CatchUpMarker {
  let inFlight = 0;
  return {
    source: () => (inFlight > 0 ? 'catch-up' : undefined),
    async around(retry) {
      inFlight++;
      try {
        await retry();
      } finally {
        inFlight--;
      }
    },
  };
}

const unregistered: RegistrationPart = { endpointId: undefined, secret: undefined, kept: false, moved: async () => {}, catchUp: () => {}, stop: async () => {} };

/**
 * The registration part: registers the public URL through the provider's registrar (when there is
 * one), or says where to paste it. `keep` decides whether stop deletes the endpoint.
 */
export async function startRegistration(registrar: EndpointRegistrar | undefined, options: RegisterOptions): Promise<RegistrationPart> {
  const { profile, onEvent } = options;
  if (!registrar) {
    if (profile.dashboardHint && options.publicUrl) onEvent({ type: 'warning', message: `paste ${options.publicUrl} into ${profile.dashboardHint}` });
    return unregistered;
  }
  const url = options.publicUrl ?? (registrar.reachesLoopback ? options.localUrl : undefined);
  if (!url) {
    onEvent({ type: 'registration', state: 'skipped', reason: `${profile.displayName} needs a public URL: set NGROK_AUTHTOKEN, or pass --public-url (or --no-register)` });
    return unregistered;
  }
  const registration = await registrar.start(url, { storeDir: options.storeDir, clock: options.clock, provider: profile.displayName, keep: options.keep, onEvent });
  return {
    endpointId: registration.endpointId,
    secret: registration.secret,
    kept: options.keep !== undefined,
    moved: async (publicUrl) => {
      if (publicUrl) await registrar.moved(publicUrl);
    },
    catchUp: () => {
      if (options.keep !== 'catch-up' || !registration.adopted || !registrar.catchUp) return;
      registrar.catchUp(options.catchUp.around).catch((error: Error) => onEvent({ type: 'warning', message: `catch-up stopped: ${error.message}` }));
    },
    stop: () => registrar.stop(),
  };
}
