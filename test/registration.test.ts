import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { BIN, runCli } from './support/cli.js';
import { startListenCli, type ListenProcess } from './support/listen.js';
import { hasTmux, terminal } from './support/tmux.js';
import { startStubApp, type StubApp } from './support/stub-app.js';
import { freePort } from './support/sshd.js';

// Registration against `webhook sandbox` (the local PayKore emulator): what listen and
// `webhook endpoints prune` may delete, and what --catch-up does when its kept endpoint is gone.
const API_KEY = 'sk_test_registration';
const env = { PAYKORE_API_KEY: API_KEY };

let dir: string;
let sandbox: Sandbox | undefined;
let app: StubApp | undefined;
let listen: ListenProcess | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-registration-'));
});
afterEach(async () => {
  if (listen && listen.child.exitCode === null && listen.child.signalCode === null) await listen.stop('SIGKILL');
  await app?.close();
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
  sandbox = app = listen = undefined;
});

const api = async (method: string, pathname: string, body?: unknown) => {
  const res = await request(`${sandbox!.url}${pathname}`, { method: method as 'GET', headers: { 'x-api-key': API_KEY }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await res.body.text();
  return text ? JSON.parse(text) : undefined;
};
const remoteIds = async () => ((await api('GET', '/v1/webhooks')).data as { id: string }[]).map((e) => e.id).sort();

/** The pid of a process that has exited: no session is running under it. */
const deadPid = () =>
  new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['-e', '']);
    child.once('exit', () => resolve(child.pid!));
  });

async function crashListen(store: string) {
  listen = await startListenCli(['-p', 'paykore', '-f', app!.url, '--api-base', sandbox!.url, '--store', store], env);
  const id = listen.ready.endpointId as string;
  listen.child.kill('SIGKILL');
  await new Promise((resolve) => listen!.child.once('exit', resolve));
  return id;
}

describe('registration touches only its own endpoints', () => {
  it("listen prunes only endpoints its own store registered whose session is gone; a colleague's and another store's stay", async () => {
    sandbox = await startSandbox({}, { clock: systemClock });
    app = await startStubApp(() => ({ status: 200 }));
    const pid = await deadPid();
    // A colleague on the same team key, from another machine (an older marker without a store) and another store.
    const colleague = (await api('POST', '/v1/webhooks', { url: 'https://colleague.example.dev/hooks', description: `webhook-cli listen (pid ${pid})` })).id as string;
    const otherStore = (await api('POST', '/v1/webhooks', { url: 'https://other.example.dev/hooks', description: `webhook-cli listen (store 0123456789abcdef, pid ${pid})` })).id as string;
    // Another store on this machine whose session crashed (kill -9).
    const storeA = path.join(dir, 'a');
    const crashedA = await crashListen(storeA);

    const storeB = path.join(dir, 'b');
    listen = await startListenCli(['-p', 'paykore', '-f', app.url, '--api-base', sandbox.url, '--store', storeB], env);
    expect(listen.events.filter((e) => e.type === 'registration' && e.state === 'pruned')).toEqual([]);
    expect(await remoteIds()).toEqual([colleague, otherStore, crashedA, listen.ready.endpointId].sort());
    // The marker names this store's id (random, kept in the store) and the session's pid.
    const idB = (await readFile(path.join(storeB, 'store-id'), 'utf8')).trim();
    expect(idB).toMatch(/^[0-9a-f]{16}$/);
    expect((await api('GET', `/v1/webhooks/${listen.ready.endpointId}`)).description).toBe(`webhook-cli listen (store ${idB}, pid ${listen.child.pid})`);
    expect(await listen.stop('SIGINT')).toBe(130);

    // Store A's next session prunes its own crashed endpoint, and only that.
    listen = await startListenCli(['-p', 'paykore', '-f', app.url, '--api-base', sandbox.url, '--store', storeA], env);
    expect(listen.events.filter((e) => e.type === 'registration' && e.state === 'pruned').map((e) => e.endpointId)).toEqual([crashedA]);
    expect(await remoteIds()).toEqual([colleague, otherStore, listen.ready.endpointId].sort());
    expect(await listen.stop('SIGINT')).toBe(130);
    expect(await remoteIds()).toEqual([colleague, otherStore].sort());
  });

  it('webhook endpoints prune lists what it deletes: only this store’s endpoints whose session is gone', async () => {
    sandbox = await startSandbox({}, { clock: systemClock });
    app = await startStubApp(() => ({ status: 200 }));
    const pid = await deadPid();
    const otherStore = (await api('POST', '/v1/webhooks', { url: 'https://other.example.dev/hooks', description: `webhook-cli listen (store fedcba9876543210, pid ${pid})` })).id as string;
    const store = path.join(dir, 'store');
    const crashed = await crashListen(store);
    const crashedUrl = ((await api('GET', `/v1/webhooks/${crashed}`)).url as string).replace(/\/$/, '');

    const listed = await runCli(['endpoints', '--api-base', sandbox.url, '--store', store], { env });
    expect(listed.stdout).toMatch(new RegExp(`^${otherStore} .* webhook listen, another store or host$`, 'm'));
    expect(listed.stdout).toMatch(new RegExp(`^${crashed} .* stale$`, 'm'));

    // Off a terminal it does not ask: it lists each endpoint, then deletes them.
    const pruned = await runCli(['endpoints', 'prune', '--api-base', sandbox.url, '--store', store], { env });
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(new RegExp(`^${crashed}  ${crashedUrl}/?  \\(registered by listen pid \\d+, which is no longer running\\)$`, 'm'));
    expect(pruned.stdout).not.toContain(otherStore);
    expect(pruned.stderr).toMatch(/deleted 1 stale endpoint$/m);
    expect(await remoteIds()).toEqual([otherStore]);

    const again = await runCli(['endpoints', 'prune', '--api-base', sandbox.url, '--store', store, '--json'], { env });
    expect(again.stdout).toBe('');
    expect(await remoteIds()).toEqual([otherStore]);
  });
});

describe('listen --catch-up', () => {
  it('registers a new endpoint, and says so in one line, when the kept one no longer exists at the provider', async () => {
    sandbox = await startSandbox({}, { clock: systemClock });
    app = await startStubApp(() => ({ status: 200 }));
    const store = path.join(dir, 'store');
    const args = ['-p', 'paykore', '-f', app.url, '--api-base', sandbox.url, '--catch-up', '--store', store];
    listen = await startListenCli(args, env);
    const kept = listen.ready.endpointId as string;
    expect(await listen.stop('SIGINT')).toBe(130);
    await api('DELETE', `/v1/webhooks/${kept}`); // deleted meanwhile (dashboard, a colleague)

    listen = await startListenCli(args, env);
    const replaced = listen.events.find((e) => e.type === 'registration' && e.state === 'replaced');
    expect(replaced).toMatchObject({ replaced: kept, endpointId: listen.ready.endpointId, reason: `the kept endpoint ${kept} no longer exists at PayKore: registered ${listen.ready.endpointId} instead, with a new secret` });
    expect(listen.ready.endpointId).not.toBe(kept);
    expect(listen.events.filter((e) => e.type === 'warning')).toEqual([]); // no "catch-up stopped … NOT_FOUND"
    expect(await remoteIds()).toEqual([listen.ready.endpointId]);

    // And it receives: a delivery from the provider arrives, verified with the new secret.
    await api('POST', '/v1/events', { event: 'transaction.completed' });
    expect(await listen.next((e) => e.type === 'delivery')).toMatchObject({ event: 'transaction.completed', signature: 'verified', status: 200 });
    expect(await listen.stop('SIGINT')).toBe(130);

  });
});

describe('a stable URL keeps its endpoint and secret', () => {
  it('reuses the endpoint and its secret when the public URL is the same as last session, and moves it with PATCH when only the URL changed', async () => {
    sandbox = await startSandbox({}, { clock: systemClock });
    app = await startStubApp(() => ({ status: 200 }));
    const store = path.join(dir, 'store');
    // A URL of one's own that stays the same between sessions: here the receiver's own fixed port.
    const session = async (port: number) =>
      startListenCli(['-p', 'paykore', '-f', app!.url, '--api-base', sandbox!.url, '--port', String(port), '--public-url', `http://127.0.0.1:${port}`, '--self-check-interval', '0', '--print-secret', '--keep-endpoint', '--store', store], env);
    const port = await freePort();
    listen = await session(port);
    const { endpointId, secret } = listen.ready;
    expect(listen.ready).toMatchObject({ endpointId: expect.stringMatching(/^wh_/), endpointKept: true, secret: expect.stringMatching(/^whsec_/) });
    expect(await listen.stop('SIGINT')).toBe(130);
    expect(listen.events.find((e) => e.type === 'registration' && e.state === 'kept')).toMatchObject({ endpointId, reason: expect.stringContaining('kept by --keep-endpoint') });
    expect(await remoteIds()).toEqual([endpointId]);
    // The secret is kept in the store for the next session, readable by the owner only.
    expect((await stat(path.join(store, 'endpoints.json'))).mode & 0o777).toBe(0o600);

    // Same URL: the same endpoint and the same secret, so the app's .env is set once.
    listen = await session(port);
    expect(listen.ready).toMatchObject({ endpointId, secret });
    expect(listen.events.find((e) => e.type === 'registration' && e.state === 'adopted')).toMatchObject({ endpointId, reason: 'the same endpoint and secret as the last session' });
    await api('POST', '/v1/events', { event: 'transaction.completed' });
    expect(await listen.next((e) => e.type === 'delivery')).toMatchObject({ event: 'transaction.completed', signature: 'verified', status: 200 });
    expect(await listen.stop('SIGINT')).toBe(130);

    // Only the URL changed: the endpoint is moved (PATCH), its secret stays.
    const moved = await freePort();
    listen = await session(moved);
    expect(listen.ready).toMatchObject({ endpointId, secret, publicUrl: `http://127.0.0.1:${moved}` });
    expect(listen.events.find((e) => e.type === 'registration' && e.state === 'adopted')).toMatchObject({ reason: `the same endpoint and secret as the last session, moved from http://127.0.0.1:${port}` });
    expect((await api('GET', `/v1/webhooks/${endpointId}`)).url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${moved}/?$`));
    await api('POST', '/v1/events', { event: 'kyc.verified' });
    expect(await listen.next((e) => e.type === 'delivery')).toMatchObject({ event: 'kyc.verified', signature: 'verified', status: 200 });
    expect(await listen.stop('SIGINT')).toBe(130);
    expect(await remoteIds()).toEqual([endpointId]);
  });

  it('without --keep-endpoint, a stable URL still gets a fresh endpoint, deleted on exit, and no secret is stored', async () => {
    sandbox = await startSandbox({}, { clock: systemClock });
    app = await startStubApp(() => ({ status: 200 }));
    const store = path.join(dir, 'store');
    const port = await freePort();
    listen = await startListenCli(['-p', 'paykore', '-f', app.url, '--api-base', sandbox.url, '--port', String(port), '--public-url', `http://127.0.0.1:${port}`, '--self-check-interval', '0', '--store', store], env);
    expect(listen.ready.endpointKept).toBe(false);
    expect(await listen.stop('SIGINT')).toBe(130);
    expect(await remoteIds()).toEqual([]);
    expect(await readFile(path.join(store, 'endpoints.json'), 'utf8').catch(() => '')).not.toMatch(/whsec_/);
  });

  it('deletes the endpoint on exit when the URL changes every session (a tunnel without a fixed URL)', async () => {
    sandbox = await startSandbox({}, { clock: systemClock });
    app = await startStubApp(() => ({ status: 200 }));
    listen = await startListenCli(['-p', 'paykore', '-f', app.url, '--api-base', sandbox.url, '--tunnel', 'loopback', '--store', path.join(dir, 'store')], env);
    expect(listen.ready.endpointKept).toBe(false);
    expect(await listen.stop('SIGINT')).toBe(130);
    expect(await remoteIds()).toEqual([]);
  });
});

// tmux gives the CLI a real pseudo-terminal, where prune asks before deleting.
describe.skipIf(!hasTmux)('webhook endpoints prune on a terminal', () => {
  let open: Awaited<ReturnType<typeof terminal>> | undefined;
  afterEach(async () => {
    await open?.close();
  });

  it('lists what it will delete and deletes only when told yes', async () => {
    sandbox = await startSandbox({}, { clock: systemClock });
    app = await startStubApp(() => ({ status: 200 }));
    const store = path.join(dir, 'store');
    const crashed = await crashListen(store);
    const prune = async (answer: string) => {
      const command = `env -u CI -u NO_COLOR PAYKORE_API_KEY=${API_KEY} TERM=xterm-256color ${process.execPath} ${BIN} endpoints prune --api-base ${sandbox!.url} --store ${store}`;
      open = await terminal(command);
      const tty = open;
      const asked = await tty.waitForScreen((t) => t.includes('(yes/no)'));
      expect(asked).toMatch(new RegExp(`^${crashed}  \\S+  \\(registered by listen pid \\d+, which is no longer running\\)$`, 'm'));
      expect(asked).toContain('delete this endpoint at PayKore? (yes/no)');
      await tty.keys(answer, 'Enter');
      const done = await tty.waitForScreen((t) => t.includes('EXITED'));
      await tty.close();
      return done;
    };
    expect(await prune('no')).toMatch(/nothing deleted[\s\S]*EXITED 0/);
    expect(await remoteIds()).toEqual([crashed]);
    expect(await prune('yes')).toMatch(/deleted 1 stale endpoint[\s\S]*EXITED 0/);
    expect(await remoteIds()).toEqual([]);
  });
});
