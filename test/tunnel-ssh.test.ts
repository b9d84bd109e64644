import { execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, runCli } from './support/cli.js';
import { startListenCli, type ListenProcess } from './support/listen.js';
import { hasTmux, terminal } from './support/tmux.js';
import { startStubApp, type StubApp } from './support/stub-app.js';
import { freePort, makeSshKeys, SSHD, startSshd, type Sshd, type SshKeys } from './support/sshd.js';
import type { JsonRecord } from './support/json.js';

// `--tunnel ssh://` against a real OpenSSH server (Debian's openssh-server; .ci/run installs it),
// started here on a loopback port with throwaway keys. Its remote forwarding is the public path.
const SECRET = 'sk_test_ssh_tunnel';
const sign = (body: string | Buffer) => createHmac('sha512', SECRET).update(body).digest('hex');

let dir: string;
let home: string;
let keys: SshKeys;
let sshd: Sshd | undefined;
let app: StubApp | undefined;
let listen: ListenProcess | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-ssh-'));
  home = path.join(dir, 'home');
  await mkdir(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
  keys = await makeSshKeys(dir);
});
afterEach(async () => {
  if (listen && listen.child.exitCode === null && listen.child.signalCode === null) await listen.stop('SIGKILL');
  await sshd?.stop();
  await app?.close();
  await rm(dir, { recursive: true, force: true });
  sshd = app = listen = undefined;
});

const exitCode = (p: ListenProcess) => new Promise<number | null>((resolve) => (p.child.exitCode !== null || p.child.signalCode !== null ? resolve(p.child.exitCode) : p.child.once('exit', (code) => resolve(code))));
/** The next matching listen event; fails (instead of hanging) if listen exits first. */
const until = (predicate: (e: JsonRecord) => boolean) =>
  Promise.race([
    listen!.next(predicate),
    exitCode(listen!).then((code) => {
      throw new Error(`listen exited ${code} first: ${listen!.stderr()}`);
    }),
  ]);
const knownHost = (port: number, publicKey = keys.hostPublicKey) => writeFile(path.join(home, '.ssh', 'known_hosts'), `[127.0.0.1]:${port} ${publicKey}\n`);
/** The environment of a user with this home (its ~/.ssh) and no SSH agent. */
const userEnv = () => ({ HOME: home, SSH_AUTH_SOCK: undefined });

async function deliver(url: string, body: string) {
  const res = await request(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-paystack-signature': sign(body) } });
  return { status: res.statusCode, body: await res.body.text() };
}

describe.skipIf(!SSHD)('listen --tunnel ssh:// (a real OpenSSH server)', () => {
  it('delivers through the remote forward byte-exact and verified; notices the server going away and reconnects when it is back, losing nothing answered', { timeout: 60_000 }, async () => {
    const port = await freePort();
    sshd = await startSshd(keys, port);
    await knownHost(port);
    await copyFile(keys.clientKey, path.join(home, '.ssh', 'id_ed25519')); // found as ~/.ssh/id_ed25519
    app = await startStubApp((r) => ({ status: r.headers['x-paystack-signature'] === sign(r.body) ? 200 : 401, body: '{"received":true}' }));
    const store = path.join(dir, 'store');
    listen = await startListenCli(['-p', 'paystack', '--secret', SECRET, '-f', `${app.url}/hooks`, '--tunnel', `ssh://${keys.user}@127.0.0.1:${port}`, '--store', store], userEnv());

    // No --public-url and no URL printed by the server: the server's address and the port it picked.
    expect(listen.ready.tunnel).toMatchObject({ kind: 'ssh', server: `${keys.user}@[127.0.0.1]:${port}`, remotePort: expect.any(Number) });
    const first = listen.ready.publicUrl as string;
    expect(first).toBe(`http://127.0.0.1:${listen.ready.tunnel.remotePort}`);
    expect(sshd.log()).toMatch(/Accepted publickey for \S+ from 127\.0\.0\.1/);

    const body = '{\n  "event": "charge.success",\n  "data": { "amount": 12345678901234567890, "note": "caf\\u00e9" }\n}\n';
    expect(await deliver(`${first}/paystack?x=1`, body)).toEqual({ status: 200, body: '{"received":true}' });
    expect(app.received[0]!.body.toString()).toBe(body);
    expect(app.received[0]!.url).toBe('/hooks/paystack?x=1');
    expect(await until((e) => e.type === 'delivery')).toMatchObject({ event: 'charge.success', signature: 'verified', status: 200 });

    // The server goes away mid-session: the tunnel says so, and the self-check confirms the public path is broken
    // (at once: the default interval is 60 s, the tunnel's own event triggers the check).
    await sshd.stop();
    expect(await until((e) => e.type === 'tunnel' && e.state === 'reconnecting' && /SSH connection/.test(e.reason))).toMatchObject({ reason: expect.stringContaining(`[127.0.0.1]:${port} closed`) });
    expect(await until((e) => e.type === 'tunnel' && e.state === 'reconnecting' && /self-check/.test(e.reason))).toMatchObject({ reason: expect.stringContaining(`self-check through ${first} failed`) });

    // Back on the same address: the tunnel reconnects (the server picks a new port, so a new URL) and delivers again.
    sshd = await startSshd(keys, port);
    const up = await until((e) => e.type === 'tunnel' && e.state === 'up');
    expect(up.publicUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const second = '{"event":"transfer.success","data":{"id":2}}';
    expect((await deliver(up.publicUrl, second)).status).toBe(200);
    expect(await until((e) => e.type === 'delivery')).toMatchObject({ event: 'transfer.success', signature: 'verified', status: 200 });
    expect(app.received.map((r) => r.body.toString())).toEqual([body, second]);
    expect(await listen.stop('SIGINT')).toBe(130);

    // Nothing answered was lost: both deliveries are in the log.
    const log = await runCli(['log', '--store', store, '--json']);
    expect(log.stdout.trim().split('\n').map((l) => JSON.parse(l).event)).toEqual(['charge.success', 'transfer.success']);
  });

  it('exits 1 with the reason when the server stays down past --give-up-after', async () => {
    const port = await freePort();
    sshd = await startSshd(keys, port);
    await knownHost(port);
    app = await startStubApp();
    listen = await startListenCli(['-p', 'paystack', '--secret', SECRET, '-f', app.url, '--tunnel', `ssh://${keys.user}@127.0.0.1:${port}`, '--ssh-key', keys.clientKey, '--give-up-after', '1500', '--store', path.join(dir, 'store')], userEnv());
    await sshd.stop();
    sshd = undefined;
    expect(await listen.next((e) => e.type === 'tunnel' && e.state === 'down')).toMatchObject({ reason: expect.stringMatching(/self-check through http:\/\/127\.0\.0\.1:\d+ failed/) });
    expect(await exitCode(listen)).toBe(1);
    expect(listen.stderr()).toMatch(/^error: listen stopped: self-check through http:\/\/127\.0\.0\.1:\d+ failed.*gave up after \d+ s$/m);
  });

  it('refuses an unknown host off a terminal with a hint, adds it with --ssh-accept-new-host-key, and refuses a changed key', async () => {
    const port = await freePort();
    sshd = await startSshd(keys, port);
    app = await startStubApp();
    const args = ['-p', 'paystack', '--secret', SECRET, '-f', app.url, '--tunnel', `ssh://${keys.user}@127.0.0.1:${port}`, '--ssh-key', keys.clientKey, '--store', path.join(dir, 'store'), '--json'];

    const unknown = await runCli(['listen', ...args], { env: userEnv() });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(new RegExp(`^error: \\[127\\.0\\.0\\.1\\]:${port} is not in .*known_hosts \\(its ssh-ed25519 key is SHA256:\\S+\\)$`, 'm'));
    expect(unknown.stderr).toMatch(new RegExp(`^hint: .*ssh-keyscan -p ${port} 127\\.0\\.0\\.1 >> .*--ssh-accept-new-host-key`, 'm'));
    expect(unknown.stderr).not.toMatch(/\n\s+at /); // no stack trace

    listen = await startListenCli([...args.slice(0, -1), '--ssh-accept-new-host-key'], userEnv());
    expect(listen.ready.publicUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await readFile(path.join(home, '.ssh', 'known_hosts'), 'utf8')).toBe(`[127.0.0.1]:${port} ${keys.hostPublicKey}\n`);
    expect(await listen.stop('SIGINT')).toBe(130);

    // Another key for the same host and type: refused even with --ssh-accept-new-host-key.
    const other = await makeSshKeys(await mkdtemp(path.join(dir, 'other-')));
    await knownHost(port, other.hostPublicKey);
    const changed = await runCli(['listen', ...args, '--ssh-accept-new-host-key'], { env: userEnv() });
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/^error: the ssh-ed25519 host key of \[127\.0\.0\.1\]:\d+ is not the one in .*known_hosts \(line 1\): it changed/m);
    expect(changed.stderr).toMatch(/^hint: .*ssh-keygen -R/m);
  });

  it('uses --public-url as the URL of the proxy in front of the server, --remote-port as the port it listens on, and a key from the SSH agent', async () => {
    const port = await freePort();
    sshd = await startSshd(keys, port);
    await knownHost(port);
    app = await startStubApp();
    // A real ssh-agent holding the client key; no key files in ~/.ssh and no --ssh-key.
    const agentSocket = path.join(dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', agentSocket], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise<void>((resolve) => agent.stdout!.setEncoding('utf8').on('data', (d: string) => d.includes('SSH_AUTH_SOCK') && resolve()));
      execFileSync('ssh-add', ['-q', keys.clientKey], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket }, stdio: 'ignore' });
      const remotePort = await freePort();
      listen = await startListenCli(['-p', 'paystack', '--secret', SECRET, '-f', app.url, '--tunnel', `ssh://${keys.user}@127.0.0.1:${port}`, '--remote-port', String(remotePort), '--public-url', 'https://hooks.example.dev', '--self-check-interval', '0', '--store', path.join(dir, 'store')], { ...userEnv(), SSH_AUTH_SOCK: agentSocket });
      expect(listen.ready).toMatchObject({ publicUrl: 'https://hooks.example.dev', tunnel: { kind: 'ssh', remotePort } });
      expect((await deliver(`http://127.0.0.1:${remotePort}/`, '{"event":"charge.success"}')).status).toBe(200);
      expect(await listen.next((e) => e.type === 'delivery')).toMatchObject({ signature: 'verified', status: 200 });
      expect(await listen.stop('SIGINT')).toBe(130);
    } finally {
      agent.kill();
    }
  });

  it('takes the public URL a tunnel service prints on connect (as localhost.run and pinggy do)', async () => {
    // The server's forced command plays the service: it prints its URL on the session, as those services do.
    keys = await makeSshKeys(await mkdtemp(path.join(dir, 'service-')), { command: 'echo; echo your tunnel is at https://abc123def.tunnel.example' });
    const port = await freePort();
    sshd = await startSshd(keys, port);
    await knownHost(port);
    app = await startStubApp();
    listen = await startListenCli(['-p', 'paystack', '--secret', SECRET, '-f', app.url, '--tunnel', `ssh://${keys.user}@127.0.0.1:${port}`, '--ssh-key', keys.clientKey, '--self-check-interval', '0', '--store', path.join(dir, 'store')], userEnv());
    expect(listen.ready).toMatchObject({ publicUrl: 'https://abc123def.tunnel.example', tunnel: { kind: 'ssh' } });
    // The forward itself works all the same (here reached on the server's loopback port).
    expect((await deliver(`http://127.0.0.1:${listen.ready.tunnel.remotePort}/`, '{"event":"charge.success"}')).status).toBe(200);
  });

  it('says what is wrong with a bad ssh:// target or a refused key, in one line with a hint', async () => {
    const bad = await runCli(['listen', '-p', 'paystack', '-f', 'http://127.0.0.1:3000', '--tunnel', 'ssh://host/path']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: --tunnel "ssh:\/\/host\/path" is not ssh:\/\/\[user@\]host\[:port\]/m);
    const stray = await runCli(['listen', '-p', 'paystack', '-f', 'http://127.0.0.1:3000', '--remote-port', '8080']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/^hint: e\.g\. --tunnel ssh:\/\//m);

    const port = await freePort();
    sshd = await startSshd(keys, port);
    await knownHost(port);
    const stranger = await makeSshKeys(await mkdtemp(path.join(dir, 'stranger-')));
    const refused = await runCli(['listen', '-p', 'paystack', '-f', 'http://127.0.0.1:3000', '--tunnel', `ssh://${keys.user}@127.0.0.1:${port}`, '--ssh-key', stranger.clientKey, '--store', path.join(dir, 'store')], { env: userEnv() });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: cannot open the SSH tunnel to \S+: All configured authentication methods failed$/m);
    expect(refused.stderr).toMatch(/^hint: load your key into the SSH agent \(ssh-add\), or name it with --ssh-key/m);
  });
});

// On a terminal (tmux gives a real pseudo-terminal), an unknown host key is asked about, as ssh does.
describe.skipIf(!SSHD || !hasTmux)('listen --tunnel ssh:// on a terminal', () => {
  let open: Awaited<ReturnType<typeof terminal>> | undefined;
  afterEach(async () => {
    await open?.close();
  });

  for (const answer of ['no', 'yes'] as const) {
    it(`asks about an unknown host key and ${answer === 'yes' ? 'adds it and connects' : 'refuses when told no'}`, async () => {
      const port = await freePort();
      sshd = await startSshd(keys, port);
      app = await startStubApp();
      const command = `env -u CI -u NO_COLOR -u SSH_AUTH_SOCK HOME=${home} TERM=xterm-256color ${process.execPath} ${BIN} listen -p paystack --secret x -f ${app.url} --tunnel ssh://${keys.user}@127.0.0.1:${port} --ssh-key ${keys.clientKey} --self-check-interval 0 --store ${path.join(dir, 'store')}`;
      open = await terminal(command);
      const tty = open;
      const asked = await tty.waitForScreen((t) => t.includes('(yes/no)'));
      expect(asked).toMatch(new RegExp(`\\[127\\.0\\.0\\.1\\]:${port} is not a known host; its ssh-ed25519 key is SHA256:\\S+`));
      await tty.keys(answer, 'Enter');
      if (answer === 'no') {
        const refused = await tty.waitForScreen((t) => t.includes('EXITED'));
        expect(refused).toMatch(/error: \[127\.0\.0\.1\]:\d+ is not in .*known_hosts/);
        expect(refused).toContain('EXITED 2');
        await expect(readFile(path.join(home, '.ssh', 'known_hosts'), 'utf8')).rejects.toThrow();
      } else {
        await tty.waitForScreen((t) => t.includes('webhook listen') && /http:\/\/127\.0\.0\.1:\d+/.test(t));
        expect(await readFile(path.join(home, '.ssh', 'known_hosts'), 'utf8')).toBe(`[127.0.0.1]:${port} ${keys.hostPublicKey}\n`);
        await tty.keys('q');
        expect(await tty.waitForScreen((t) => t.includes('EXITED'))).toContain('EXITED 0');
      }
    });
  }
});
