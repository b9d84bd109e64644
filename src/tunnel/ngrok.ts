import type { Config as NgrokConfig, Listener as NgrokListener } from '@ngrok/ngrok';
import { errorCode, FailureError, UsageError } from '../errors.js';
import { tunnelListeners, type Tunnel, type TunnelOpener } from './types.js';

type NgrokModule = typeof import('@ngrok/ngrok');

/** The optional `@ngrok/ngrok` package, imported only when a tunnel is asked for. */
const importNgrok = (): Promise<NgrokModule> => import('@ngrok/ngrok');

/** Load the optional package; when it is missing (or has no build for this platform) say how to add it. */
async function loadNgrok(load: () => Promise<NgrokModule>): Promise<NgrokModule> {
  try {
    return await load();
  } catch (error) {
    const missing = errorCode(error) === 'ERR_MODULE_NOT_FOUND' || errorCode(error) === 'MODULE_NOT_FOUND';
    throw new UsageError(
      missing ? '--tunnel ngrok needs the optional package @ngrok/ngrok, which is not installed' : `@ngrok/ngrok could not be loaded: ${String((error as Error).message).split('\n')[0]}`,
      { hint: 'add it with `npm i -D @ngrok/ngrok` (`npm i -g @ngrok/ngrok` next to a global webhook-cli), or run your own tunnel and pass --public-url, or --tunnel none', cause: error },
    );
  }
}

/** How long to wait for ngrok before giving up with a clear error (no hang without network). */
const NGROK_START_TIMEOUT_MS = 15_000;

/**
 * A public https URL through the official `@ngrok/ngrok` package (no binary download; the
 * token comes from NGROK_AUTHTOKEN). An optional dependency, loaded only when a tunnel is asked for.
 */
export function ngrokTunnel(
  options: {
    authtoken?: string | undefined;
    domain?: string | undefined;
    timeoutMs?: number;
    /** How the package is imported (default: importNgrok); a seam for the "not installed" case. */
    load?: () => Promise<NgrokModule>;
  } = {},
): TunnelOpener {
  return {
    kind: 'ngrok',
    async open(local, signal) {
      const ngrok = await loadNgrok(options.load ?? importNgrok);
      const { emit, onChange } = tunnelListeners();
      const timeoutMs = options.timeoutMs ?? NGROK_START_TIMEOUT_MS;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from ngrok within ${timeoutMs / 1000} s (is the network up?)`)), timeoutMs);
        signal.addEventListener('abort', () => reject(new Error('interrupted')), { once: true });
      });
      // Typed against the package's own definitions: a renamed or mistyped option fails the build.
      const config: NgrokConfig = {
        addr: local.port,
        ...(options.authtoken ? { authtoken: options.authtoken } : { authtoken_from_env: true }),
        ...(options.domain ? { domain: options.domain } : {}),
        onStatusChange: (status) => emit(status === 'connected' ? { state: 'up' } : { state: 'reconnecting', reason: status }),
      };
      let listener: NgrokListener;
      try {
        listener = await Promise.race([ngrok.forward(config), timeout]);
      } catch (error) {
        const message = (error as Error).message.split('\n')[0];
        throw new FailureError(`the ngrok tunnel did not start: ${message}`, {
          hint: 'check NGROK_AUTHTOKEN (https://dashboard.ngrok.com), or run your own tunnel and pass --public-url, or --tunnel none',
        });
      } finally {
        clearTimeout(timer);
      }
      const url = listener.url() ?? undefined;
      const tunnel: Tunnel = {
        kind: 'ngrok',
        publicUrl: url,
        stableUrl: options.domain !== undefined,
        onChange,
        close: async () => {
          await listener.close().catch(() => {});
        },
      };
      return tunnel;
    },
  };
}
