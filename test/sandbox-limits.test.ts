// The sandbox under load and hostile input (issue 17, item 10): one body per event, O(1)
// persistence with a validated state file, a prompt exit on SIGTERM, and no private targets.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { BIN, cliEnv } from './support/cli.js';
import { startStubApp } from './support/stub-app.js';
import type { JsonRecord } from './support/json.js';

const KEY = 'sk_test_sandbox_limits';
const cleanups: (() => Promise<unknown> | undefined)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function api(method: string, url: string, body?: unknown) {
  const res = await request(url, { method: method as 'GET', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.statusCode, json: (await res.body.json()) as JsonRecord };
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'webhook-sandbox-limits-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function inProcess(...args: Parameters<typeof startSandbox>): Promise<Sandbox> {
  const sandbox = await startSandbox(...args);
  cleanups.push(() => sandbox.close());
  return sandbox;
}

/** A loopback server that reads each body and answers `status`, or never answers (`hang`); `arrived(n)` resolves at the n-th request. */
async function countingApp(answer: number | 'hang') {
  let arrived = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const server: Server = createServer((req, res) => {
    arrived += 1;
    for (const w of waiters.filter((w) => arrived >= w.n)) w.resolve();
    req.resume();
    if (answer !== 'hang') req.on('end', () => res.writeHead(answer).end('{}'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrived: (n: number) => new Promise<void>((resolve) => (arrived >= n ? resolve() : waiters.push({ n, resolve }))),
  };
}

/** The built CLI's sandbox with --json: its URL, its stderr, and a wait for the n-th attempt line. */
async function spawnSandbox(args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'sandbox', '--json', ...args], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let attempts = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<{ url: string }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`sandbox exited ${code}: ${stderr}`)));
    lines.on('line', (line) => {
      const e = JSON.parse(line) as { type: string; url: string };
      if (e.type === 'ready') resolve(e);
      if (e.type === 'attempt') {
        attempts += 1;
        for (const w of waiters.filter((w) => attempts >= w.n)) w.resolve();
      }
    });
  });
  return {
    child,
    url: ready.url,
    exited,
    stderr: () => stderr,
    attempts: (n: number) => new Promise<void>((resolve) => (attempts >= n ? resolve() : waiters.push({ n, resolve }))),
  };
}

const statusKiB = async (pid: number, field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1]);

describe('sandbox memory: one body per event', () => {
  it('a 1 MB event to 500 endpoints keeps the sandbox’s peak RSS under 400 MB (a copy per delivery took it past 1.2 GB)', async () => {
    const app = await countingApp(200);
    const sandbox = await spawnSandbox([]);
    for (let i = 0; i < 500; i++) expect((await api('POST', `${sandbox.url}/v1/webhooks`, { url: `${app.url}/e${i}`, events: ['transaction.completed'] })).status).toBe(201);
    const emitted = await api('POST', `${sandbox.url}/v1/events`, { event: 'transaction.completed', data: { blob: 'x'.repeat(1_000_000) } });
    expect(emitted.json.deliveries).toHaveLength(500);
    await sandbox.attempts(500);
    // VmHWM is the peak resident set since the process started: every delivery has been sent by now.
    expect(await statusKiB(sandbox.child.pid!, 'VmHWM')).toBeLessThan(400 * 1024);
  });

  it('--store keeps the body once, in the event, and not in each delivery', async () => {
    const dir = await tempDir();
    const app = await startStubApp();
    cleanups.push(() => app.close());
    let settled = 0;
    let allSettled!: () => void;
    const done = new Promise<void>((resolve) => (allSettled = resolve));
    const sandbox = await startSandbox({ storeDir: dir }, { clock: systemClock, onAttempt: () => ++settled === 3 && allSettled() });
    for (let i = 0; i < 3; i++) await api('POST', `${sandbox.url}/v1/webhooks`, { url: `${app.url}/e${i}` });
    const body = { event: 'transaction.completed', data: { id: 'txn_once', note: 'y'.repeat(5000) } };
    await api('POST', `${sandbox.url}/v1/events`, body);
    await done;
    await sandbox.close();
    const saved = JSON.parse(await readFile(path.join(dir, 'sandbox.json'), 'utf8'));
    expect(saved.events).toHaveLength(1);
    expect(JSON.parse(Buffer.from(saved.events[0].bodyBase64, 'base64').toString())).toEqual(body);
    expect(saved.deliveries).toHaveLength(3);
    for (const d of saved.deliveries) {
      expect(d.eventId).toBe(saved.events[0].id);
      expect(d).not.toHaveProperty('bodyBase64');
    }
    // Every endpoint got the event's bytes.
    expect(app.received.map((r) => JSON.parse(r.body.toString()))).toEqual([body, body, body]);
  });
});

describe('sandbox --store: a journal of changes, a validated state file', () => {
  it('keeps endpoints and events across a restart, and across kill -9 (changes are appended as they happen)', async () => {
    const dir = await tempDir();
    const app = await startStubApp(() => ({ status: 503 }));
    cleanups.push(() => app.close());
    const first = await spawnSandbox(['--store', dir]);
    const endpoint = (await api('POST', `${first.url}/v1/webhooks`, { url: `${app.url}/hooks` })).json;
    const emitted = (await api('POST', `${first.url}/v1/events`, { event: 'kyc.verified', data: { id: 'kyc_journal' } })).json;
    await first.attempts(1);
    first.child.kill('SIGKILL');
    await first.exited;

    // No snapshot was written at exit: what survived is the journal, replayed on start.
    const second = await spawnSandbox(['--store', dir]);
    expect((await api('GET', `${second.url}/v1/webhooks/${endpoint.id}`)).json.url).toBe(`${app.url}/hooks`);
    const [delivery] = (await api('GET', `${second.url}/v1/deliveries`)).json.data;
    expect(delivery).toMatchObject({ id: emitted.deliveries[0], event_id: emitted.event_id, endpoint_id: endpoint.id });
    expect(delivery.attempts[0].status_code).toBe(503);
    const stopped = second.exited;
    second.child.kill('SIGTERM');
    expect(await stopped).toBe(130);
    expect(second.stderr()).toBe('');
    expect((await stat(path.join(dir, 'sandbox.json'))).mode & 0o777).toBe(0o600);

    // A manual retry after the restart sends the event's own bytes.
    const third = await inProcess({ storeDir: dir }, { clock: systemClock });
    const before = app.received.length;
    expect((await api('POST', `${third.url}/v1/deliveries/${delivery.id}/retry`)).status).toBe(200);
    expect(JSON.parse(app.received[before]!.body.toString())).toEqual({ event: 'kyc.verified', data: { id: 'kyc_journal' } });
  });

  it('folds the journal into the snapshot while running once it outgrows 1 MiB and twice the snapshot', async () => {
    const dir = await tempDir();
    const sandbox = await inProcess({ storeDir: dir }, { clock: systemClock });
    const size = async (file: string) => (await stat(path.join(dir, file))).size;
    const emit = (n: number) => api('POST', `${sandbox.url}/v1/events`, { event: 'transaction.completed', data: { n, blob: 'q'.repeat(400_000) } });
    // Each event is one journal line of about 530 kB (its body in base64); no endpoints, so no deliveries.
    expect((await emit(1)).status).toBe(202);
    expect(await size('sandbox.journal')).toBeGreaterThan(500_000);
    const snapshotBefore = await size('sandbox.json');
    expect((await emit(2)).status).toBe(202);
    expect(await size('sandbox.journal')).toBe(0);
    const saved = JSON.parse(await readFile(path.join(dir, 'sandbox.json'), 'utf8'));
    expect(saved.events.map((e: { bodyBase64: string }) => JSON.parse(Buffer.from(e.bodyBase64, 'base64').toString()).data.n)).toEqual([1, 2]);
    expect(await size('sandbox.json')).toBeGreaterThan(snapshotBefore);
    // Appends go on after the fold.
    expect((await emit(3)).status).toBe(202);
    expect(await size('sandbox.journal')).toBeGreaterThan(500_000);
  });

  it('a corrupted state file is reported in one line, set aside, and the sandbox starts empty', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'sandbox.json'), '{"endpoints": [{"id": "wh_1"', { mode: 0o600 });
    const sandbox = await spawnSandbox(['--store', dir]);
    expect((await api('GET', `${sandbox.url}/v1/webhooks`)).json.data).toEqual([]);
    const stopped = sandbox.exited;
    sandbox.child.kill('SIGTERM');
    expect(await stopped).toBe(130);
    expect(sandbox.stderr()).toMatch(/^warning: \S*sandbox\.json is not a valid sandbox state \([^\n]+\); starting empty, the file was moved to \S*sandbox\.json\.invalid\n$/);
    expect(await readFile(path.join(dir, 'sandbox.json.invalid'), 'utf8')).toBe('{"endpoints": [{"id": "wh_1"');
  });

  it('a state file of the wrong shape, or a bad journal line, is reported and skipped, never fatal', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'sandbox.json'), JSON.stringify({ endpoints: [{ id: 'wh_1', url: 'https://x.test' }], deliveries: null }));
    const warnings: string[] = [];
    let sandbox = await startSandbox({ storeDir: dir }, { clock: systemClock, onWarning: (w) => warnings.push(w) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/sandbox\.json is not a valid sandbox state \(endpoints\.0\.\w+: .+\)/);
    const endpoint = (await api('POST', `${sandbox.url}/v1/webhooks`, { url: 'http://127.0.0.1:9/hooks' })).json;
    await sandbox.close();

    await writeFile(path.join(dir, 'sandbox.journal'), `${JSON.stringify({ change: 'endpoint', endpoint: { id: 'wh_2' } })}\nnull\n`);
    warnings.length = 0;
    sandbox = await inProcess({ storeDir: dir }, { clock: systemClock, onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([expect.stringMatching(/sandbox\.journal: skipped 2 unreadable changes$/)]);
    expect((await api('GET', `${sandbox.url}/v1/webhooks`)).json.data.map((e: { id: string }) => e.id)).toEqual([endpoint.id]);
  });
});

describe('sandbox SIGTERM', () => {
  it('exits 130 at once with deliveries hanging in flight and a retry storm writing to --store', async () => {
    const dir = await tempDir();
    const hanging = await countingApp('hang');
    const failing = await countingApp(500);
    // The hanging target never answers: an exit that waited for it would outlast the test's timeout.
    const sandbox = await spawnSandbox(['--store', dir, '--timeout', '3600000', '--time-scale', '0.00001']);
    for (let i = 0; i < 20; i++) await api('POST', `${sandbox.url}/v1/webhooks`, { url: `${hanging.url}/h${i}` });
    for (let i = 0; i < 150; i++) await api('POST', `${sandbox.url}/v1/webhooks`, { url: `${failing.url}/f${i}` });
    await api('POST', `${sandbox.url}/v1/events`, { event: 'transaction.completed', data: { blob: 'z'.repeat(100_000) } });
    await Promise.all([hanging.arrived(20), sandbox.attempts(150)]);
    sandbox.child.kill('SIGTERM');
    expect(await sandbox.exited).toBe(130);
  });
});

describe('sandbox endpoint URLs on private addresses', () => {
  // Host names resolve through this table: no name here resolves on the internet, and no request is sent to any of them.
  const names: Record<string, string[]> = { 'metadata.test': ['169.254.169.254'], 'mixed.test': ['203.0.113.7', '10.1.2.3'], 'public.test': ['203.0.113.7'], localhost: ['127.0.0.1'] };
  const lookup = async (host: string) => {
    const addresses = names[host];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address }));
  };

  it('refuses link-local, private and unique-local targets (400, naming --allow-private); loopback and public stay allowed', async () => {
    const sandbox = await inProcess({}, { clock: systemClock, lookup });
    const refused = [
      'https://169.254.169.254/latest/meta-data',
      'https://10.0.0.1:22/',
      'https://172.16.5.4/hooks',
      'https://192.168.1.20/hooks',
      'https://100.64.0.1/hooks',
      'https://0.0.0.0/hooks',
      'https://[fc00::1]/hooks',
      'https://[fd12:3456::1]/hooks',
      'https://[fe80::1]/hooks',
      'https://[::ffff:10.0.0.1]/hooks',
      'https://10.1/hooks', // 10.0.0.1 written short
      'https://metadata.test/hooks',
      'https://mixed.test/hooks',
    ];
    for (const url of refused) {
      const answer = await api('POST', `${sandbox.url}/v1/webhooks`, { url });
      expect({ url, status: answer.status, code: answer.json.error?.code }).toEqual({ url, status: 400, code: 'INVALID_WEBHOOK_URL' });
      expect(answer.json.error.message).toMatch(/is a private or link-local address: .*--allow-private/);
    }
    expect((await api('POST', `${sandbox.url}/v1/webhooks`, { url: 'https://metadata.test/x' })).json.error.message).toMatch(/^metadata\.test \(169\.254\.169\.254\) is a private/);
    expect((await api('GET', `${sandbox.url}/v1/webhooks`)).json.data).toEqual([]);

    for (const url of ['http://127.0.0.1:3000/hooks', 'http://localhost:3000/hooks', 'https://[::1]/hooks', 'https://127.0.0.2/hooks', 'https://public.test/hooks', 'https://unresolvable.test/hooks']) {
      expect({ url, status: (await api('POST', `${sandbox.url}/v1/webhooks`, { url })).status }).toEqual({ url, status: 201 });
    }
    // Changing an endpoint's URL is checked the same way.
    const [first] = (await api('GET', `${sandbox.url}/v1/webhooks`)).json.data;
    expect((await api('PATCH', `${sandbox.url}/v1/webhooks/${first.id}`, { url: 'https://192.168.0.1/' })).status).toBe(400);
    expect((await api('GET', `${sandbox.url}/v1/webhooks/${first.id}`)).json.url).toBe('http://127.0.0.1:3000/hooks');
  });

  it('accepts them with --allow-private', async () => {
    const sandbox = await spawnSandbox(['--allow-private']);
    for (const url of ['https://10.0.0.1:22/', 'https://[fe80::1]/hooks', 'https://169.254.169.254/']) {
      expect({ url, status: (await api('POST', `${sandbox.url}/v1/webhooks`, { url })).status }).toEqual({ url, status: 201 });
    }
  });
});

describe('sandbox --store folder', () => {
  it('refuses a folder other users can write (it holds the endpoints’ secrets): exit 2, one error line and a hint', async () => {
    const dir = await tempDir();
    await chmod(dir, 0o777);
    const child = spawn(process.execPath, [BIN, 'sandbox', '--store', dir], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(2);
    expect(stderr).toMatch(/^error: the store \S+ is writable by other users \(mode 777\)\nhint: make it private with `chmod 700 \S+`[^\n]*\n$/);
  });
});
