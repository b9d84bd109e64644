import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { FailureError, UsageError } from '../errors.js';
import { childProcessTunnel, type TunnelOpener } from './types.js';

/** How long to wait for cloudflared's quick tunnel to be up before giving up (no hang without network). */
const CLOUDFLARED_START_TIMEOUT_MS = 30_000;

const CLOUDFLARED_INSTALL_HINT =
  'install cloudflared (macOS: brew install cloudflared; Windows: winget install --id Cloudflare.cloudflared; Linux: the .deb/.rpm from https://github.com/cloudflare/cloudflared/releases) and put it on PATH, or use --tunnel ssh://nokey@localhost.run';

const QUICK_URL = /https:\/\/[a-z0-9-]+\.trycloudflare\.com\b/;
/** cloudflared logs this once its connection to Cloudflare's edge is registered: the URL then answers. */
const CONNECTED = /Registered tunnel connection/;

/**
 * A Cloudflare quick tunnel (no account): `cloudflared tunnel --url <receiver>` from PATH (nothing
 * is downloaded). The URL is read from cloudflared's log lines (the box it prints:
 * `https://<words>.trycloudflare.com`); the tunnel is up once cloudflared says its connection is
 * registered. The process exiting is reported as `reconnecting`, so the health monitor reopens
 * it (a new URL each time: quick tunnel URLs are not stable).
 */
export function cloudflaredTunnel(options: { command?: string; startTimeoutMs?: number } = {}): TunnelOpener {
  const command = options.command ?? 'cloudflared';
  return {
    kind: 'cloudflared',
    async open(local, signal) {
      const child: ChildProcess = spawn(command, ['tunnel', '--no-autoupdate', '--url', local.url], { stdio: ['ignore', 'pipe', 'pipe'] });
      const timeoutMs = options.startTimeoutMs ?? CLOUDFLARED_START_TIMEOUT_MS;
      const lastLines: string[] = [];
      let publicUrl: string | undefined;
      const started = new Promise<string>((resolve, reject) => {
        let connected = false;
        const onLine = (line: string) => {
          lastLines.push(line);
          if (lastLines.length > 5) lastLines.shift();
          publicUrl ??= QUICK_URL.exec(line)?.[0];
          connected ||= CONNECTED.test(line);
          if (publicUrl && connected) resolve(publicUrl);
        };
        for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', onLine);
        child.once('error', (error: NodeJS.ErrnoException) => {
          reject(error.code === 'ENOENT' ? new UsageError(`--tunnel cloudflared needs the cloudflared program, and "${command}" is not on PATH`, { hint: CLOUDFLARED_INSTALL_HINT }) : error);
        });
        child.once('exit', (code, sig) => reject(new FailureError(`cloudflared exited (${sig ?? code}) before its tunnel was up${lastLines.length ? `: ${lastLines.at(-1)}` : ''}`, { hint: 'run `cloudflared tunnel --url http://localhost:8080` to see why (network, proxy, firewall), or pick another --tunnel' })));
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new FailureError(`cloudflared's quick tunnel was not up within ${timeoutMs / 1000} s${lastLines.length ? ` (last: ${lastLines.at(-1)})` : ''}`, { hint: 'is the network up? cloudflared needs outbound access to Cloudflare (UDP 7844 or TCP 443); or pick another --tunnel' })), timeoutMs);
      });
      const onAbort = () => child.kill();
      signal.addEventListener('abort', onAbort, { once: true });
      let url: string;
      try {
        url = await Promise.race([started, timeout]);
      } catch (error) {
        if (child.exitCode === null && child.signalCode === null) child.kill();
        throw error;
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      }
      return childProcessTunnel(child, { kind: 'cloudflared', publicUrl: url, stableUrl: false }, (code, sig) => `cloudflared exited (${sig ?? code})${lastLines.length ? `: ${lastLines.at(-1)}` : ''}`);
    },
  };
}
