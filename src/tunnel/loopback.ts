import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { childProcessTunnel, type TunnelOpener } from './types.js';

/** The relay: a tiny HTTP proxy in its own process, printing its port, forwarding to argv[1]. */
const RELAY = `
const http = require('node:http');
const target = Number(process.argv[1]);
const server = http.createServer((req, res) => {
  const up = http.request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode || 502, answer.headers);
    answer.pipe(res);
  });
  up.on('error', () => { if (!res.headersSent) res.writeHead(502).end('tunnel: the local receiver is not answering\\n'); });
  req.pipe(up);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.on('disconnect', () => process.exit(0));
`;

/**
 * A stand-in for a tunnel service, on loopback: a real HTTP relay in its own process in front of
 * the receiver, so the whole public path (relay → receiver → app) runs without the internet,
 * and a dead tunnel is a real dead process. `--tunnel loopback` selects it (tests, `webhook demo`).
 */
export function loopbackTunnel(): TunnelOpener {
  return {
    kind: 'loopback',
    async open(local) {
      const child: ChildProcess = spawn(process.execPath, ['-e', RELAY, String(local.port)], { stdio: ['ignore', 'pipe', 'ignore', 'ipc'] });
      const port = await new Promise<string>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code) => reject(new Error(`the loopback relay exited (${code}) before it was ready`)));
        createInterface({ input: child.stdout! }).once('line', resolve);
      });
      return childProcessTunnel(child, { kind: 'loopback', publicUrl: `http://127.0.0.1:${port}` }, () => 'the tunnel process stopped');
    },
  };
}
