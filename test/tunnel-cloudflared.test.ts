import { createHmac } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cloudflaredTunnel } from '../src/tunnel/cloudflared.js';
import type { Tunnel, TunnelEvent } from '../src/tunnel/types.js';
import { runCli } from './support/cli.js';
import { startListenCli, type ListenProcess } from './support/listen.js';
import { startStubApp, type StubApp } from './support/stub-app.js';

// A STAND-IN for cloudflared: there is no network here, so the real binary could not reach
// Cloudflare. It is a small node script named `cloudflared`, put first on PATH, that takes the
// same arguments (`tunnel --no-autoupdate --url <local>`), prints cloudflared's real log lines
// (the disclaimer, "Requesting new quick Tunnel on trycloudflare.com...", the box with the URL:
// https://github.com/cloudflare/cloudflared/blob/master/cmd/cloudflared/tunnel/quick_tunnel.go;
// then "Registered tunnel connection connIndex=0 ...") on stderr, and relays HTTP on a loopback
// port to --url. Its relay port goes to a file named by its pid, since the printed
// trycloudflare.com URL does not resolve here. What is tested is webhook's process handling.
const STAND_IN = `
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { randomUUID, randomInt } = require('node:crypto');
const args = process.argv.slice(2);
const target = new URL(args[args.indexOf('--url') + 1]);
const log = (level, message) => process.stderr.write(new Date().toISOString().replace(/\\.\\d+Z$/, 'Z') + ' ' + level + ' ' + message + '\\n');
log('INF', 'Thank you for trying Cloudflare Tunnel. Doing so, without a Cloudflare account, is a quick way to experiment and try it out. However, be aware that these account-less Tunnels have no uptime guarantee, are subject to the Cloudflare Online Services Terms of Use (https://www.cloudflare.com/website-terms/), and Cloudflare reserves the right to investigate your use of Tunnels for violations of such terms. If you intend to use Tunnels in production you should use a pre-created named tunnel by following: https://developers.cloudflare.com/cloudflare-one/connections/connect-apps');
log('INF', 'Requesting new quick Tunnel on trycloudflare.com...');
if (process.env.STAND_IN_FAIL) {
  log('ERR', 'failed to request quick Tunnel: Post "https://api.trycloudflare.com/tunnel": dial tcp: lookup api.trycloudflare.com: no such host');
  process.exit(1);
}
const words = ['gentle', 'river', 'orbit', 'maple', 'quartz', 'harbor', 'velvet', 'summit'];
const url = 'https://' + [0, 1, 2, 3].map(() => words[randomInt(words.length)]).join('-') + '-' + randomInt(1e6) + '.trycloudflare.com';
const server = http.createServer((req, res) => {
  const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  up.on('error', () => res.writeHead(502).end());
  req.pipe(up);
});
server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(path.join(__dirname, 'relay-port-' + process.pid), String(server.address().port));
  const lines = ['Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):', url];
  const width = Math.max(...lines.map((l) => l.length));
  const border = '+' + '-'.repeat(width + 4) + '+';
  for (const line of [border, ...lines.map((l) => '|  ' + l.padEnd(width) + '  |'), border]) log('INF', line);
  log('INF', 'Registered tunnel connection connIndex=0 connection=' + randomUUID() + ' event=0 ip=198.41.192.7 location=lhr01 protocol=quic');
});
process.on('SIGTERM', () => process.exit(0));
`;

const SECRET = 'sk_test_cloudflared';
const sign = (body: string) => createHmac('sha512', SECRET).update(body).digest('hex');

let dir: string;
let bin: string;
let app: StubApp | undefined;
let listen: ListenProcess | undefined;
const tunnels: Tunnel[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-cloudflared-'));
  bin = path.join(dir, 'bin');
  await import('node:fs/promises').then((fs) => fs.mkdir(bin));
  await writeFile(path.join(bin, 'cloudflared'), `#!${process.execPath}\n${STAND_IN}`);
  await chmod(path.join(bin, 'cloudflared'), 0o755);
});
afterEach(async () => {
  if (listen && listen.child.exitCode === null && listen.child.signalCode === null) await listen.stop('SIGKILL');
  for (const t of tunnels.splice(0)) await t.close();
  await app?.close();
  await rm(dir, { recursive: true, force: true });
  app = listen = undefined;
});

const relayPort = async (pid: number) => Number(await readFile(path.join(bin, `relay-port-${pid}`), 'utf8'));
const deliver = async (port: number, body: string) => {
  const res = await request(`http://127.0.0.1:${port}/hooks`, { method: 'POST', body, headers: { 'x-paystack-signature': sign(body) } });
  return { status: res.statusCode, body: await res.body.text() };
};

describe('--tunnel cloudflared (a stand-in executable: no network here)', () => {
  it('starts cloudflared, reads the quick tunnel URL from its log, relays, reports its death, and reopens with a new URL', async () => {
    app = await startStubApp(() => ({ status: 200, body: 'ok' }));
    const opener = cloudflaredTunnel({ command: path.join(bin, 'cloudflared') });
    const local = { url: app.url, port: Number(new URL(app.url).port) };
    const first = await opener.open(local, new AbortController().signal);
    tunnels.push(first);
    expect(first).toMatchObject({ kind: 'cloudflared', stableUrl: false, publicUrl: expect.stringMatching(/^https:\/\/[a-z0-9-]+\.trycloudflare\.com$/) });
    const pid = first.details!.pid as number;
    expect(await deliver(await relayPort(pid), '{"event":"charge.success"}')).toEqual({ status: 200, body: 'ok' });
    expect(app.received[0]!.body.toString()).toBe('{"event":"charge.success"}');

    const events: TunnelEvent[] = [];
    const dead = new Promise<void>((resolve) => first.onChange((e) => {
        events.push(e);
        resolve();
      }));
    process.kill(pid, 'SIGKILL');
    await dead;
    expect(events).toEqual([{ state: 'reconnecting', reason: expect.stringMatching(/^cloudflared exited \(SIGKILL\)/) }]);

    // Reopening (what the health monitor does) starts a new process with a new URL.
    await first.close();
    const second = await opener.open(local, new AbortController().signal);
    tunnels.push(second);
    expect(second.publicUrl).toMatch(/^https:\/\/[a-z0-9-]+\.trycloudflare\.com$/);
    expect(second.publicUrl).not.toBe(first.publicUrl);
    expect((await deliver(await relayPort(second.details!.pid as number), '{"event":"transfer.success"}')).status).toBe(200);

    // Closing stops the process and reports nothing.
    const after: TunnelEvent[] = [];
    second.onChange((e) => after.push(e));
    await second.close();
    expect(after).toEqual([]);
  });

  it('says why when cloudflared fails before its tunnel is up, quoting its last line', async () => {
    const opener = cloudflaredTunnel({ command: path.join(bin, 'cloudflared') });
    process.env.STAND_IN_FAIL = '1';
    try {
      await expect(opener.open({ url: 'http://127.0.0.1:9', port: 9 }, new AbortController().signal)).rejects.toMatchObject({
        exitCode: 1,
        message: expect.stringMatching(/^cloudflared exited \(1\) before its tunnel was up: .* ERR failed to request quick Tunnel/),
      });
    } finally {
      delete process.env.STAND_IN_FAIL;
    }
  });

  it('listen finds cloudflared on PATH, reports its URL and tunnel, and deliveries through it are verified', async () => {
    app = await startStubApp((r) => ({ status: r.headers['x-paystack-signature'] === sign(r.body.toString()) ? 200 : 401 }));
    listen = await startListenCli(['-p', 'paystack', '--secret', SECRET, '-f', app.url, '--tunnel', 'cloudflared', '--self-check-interval', '0', '--store', path.join(dir, 'store')], { PATH: `${bin}${path.delimiter}${process.env.PATH}` });
    expect(listen.ready).toMatchObject({ publicUrl: expect.stringMatching(/^https:\/\/[a-z0-9-]+\.trycloudflare\.com$/), tunnel: { kind: 'cloudflared', pid: expect.any(Number) } });
    const body = '{"event":"charge.success","data":{"amount":5000}}';
    expect((await deliver(await relayPort(listen.ready.tunnel.pid), body)).status).toBe(200);
    expect(await listen.next((e) => e.type === 'delivery')).toMatchObject({ event: 'charge.success', signature: 'verified', status: 200 });
    process.kill(listen.ready.tunnel.pid, 'SIGKILL');
    expect(await listen.next((e) => e.type === 'tunnel')).toMatchObject({ state: 'reconnecting', reason: expect.stringContaining('cloudflared exited (SIGKILL)') });
    expect(await listen.stop('SIGINT')).toBe(130);
  });

  it('says clearly when cloudflared is not installed, and how to install it (nothing is downloaded)', async () => {
    const missing = await runCli(['listen', '-p', 'paystack', '-f', 'http://127.0.0.1:3000', '--tunnel', 'cloudflared', '--store', path.join(dir, 'store')], { env: { PATH: path.join(dir, 'empty') } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: --tunnel cloudflared needs the cloudflared program, and "cloudflared" is not on PATH$/m);
    expect(missing.stderr).toMatch(/^hint: install cloudflared \(macOS: brew install cloudflared; .*--tunnel ssh:\/\/nokey@localhost\.run$/m);
  });
});
