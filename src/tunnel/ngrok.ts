import type { Config as NgrokConfig, Listener as NgrokListener } from '@ngrok/ngrok';
import { FailureError } from '../errors.js';
import type { Tunnel, TunnelEvent, TunnelOpener } from './types.js';

/** How long to wait for ngrok before giving up with a clear error (no hang without network). */
export const NGROK_START_TIMEOUT_MS = 15_000;

/**
 * A public https URL through the official `@ngrok/ngrok` package (no binary download; the
 * token comes from NGROK_AUTHTOKEN). Loaded only when a tunnel is asked for.
 */
export function ngrokTunnel(options: { authtoken?: string | undefined; domain?: string | undefined; timeoutMs?: number } = {}): TunnelOpener {
  return {
    kind: 'ngrok',
    async open(local, signal) {
      const ngrok = await import('@ngrok/ngrok');
      const listeners = new Set<(event: TunnelEvent) => void>();
      const emit = (event: TunnelEvent) => listeners.forEach((l) => l(event));
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
        onChange(l) {
          listeners.add(l);
          return () => listeners.delete(l);
        },
        close: async () => {
          await listener.close().catch(() => {});
        },
      };
      return tunnel;
    },
  };
}
