import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Tunnel, TunnelEvent, TunnelOpener } from './types.js';

export interface LoopbackTunnelControl {
  /** Simulate the tunnel dropping (requests fail) or coming back, optionally on a new URL. */
  setState(event: TunnelEvent): void;
}

/**
 * A stand-in for a tunnel service on loopback: a real HTTP relay on its own port in front of the
 * receiver, so the whole public path (relay → receiver → app) runs without the internet.
 * Used by tests and `webhook demo`; `--tunnel loopback` selects it.
 */
export function loopbackTunnel(): TunnelOpener & { control?: LoopbackTunnelControl } {
  const opener: TunnelOpener & { control?: LoopbackTunnelControl } = {
    kind: 'loopback',
    async open(local) {
      const target = new URL(local.url);
      const server = createServer((req, res) => {
        const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        upstream.on('error', () => {
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('tunnel: the local receiver is not answering\n');
        });
        req.pipe(upstream);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const listeners = new Set<(event: TunnelEvent) => void>();
      let publicUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      opener.control = {
        setState(event) {
          if (event.publicUrl) publicUrl = event.publicUrl;
          listeners.forEach((l) => l(event));
        },
      };
      const tunnel: Tunnel = {
        kind: 'loopback',
        get publicUrl() {
          return publicUrl;
        },
        onChange(l) {
          listeners.add(l);
          return () => listeners.delete(l);
        },
        close: () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      };
      return tunnel;
    },
  };
  return opener;
}
