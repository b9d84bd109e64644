// `webhook sandbox` under load: the RSS a 1 MB event to 500 endpoints adds, the time to register
// 4000 endpoints with --store, and how long SIGTERM takes while 200 deliveries hang in flight or
// during a retry storm.
// Standalone: node bench/sandbox.mjs [memory|store|registration|sigterm|storm] (after npm run build).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { request } from 'undici';
import { BIN, round } from './lib.mjs';

export const title = 'webhook sandbox: memory per event, --store registration, SIGTERM';
const KEY = 'sk_test_bench_sandbox';

const status = async (pid, field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

/** A loopback app: answers 200 after reading the body (mode "ok"), or never answers ("hang"). */
async function app(mode) {
  let arrived = 0;
  let waiter;
  const server = createServer((req, res) => {
    req.resume();
    if (mode === 'ok') req.on('end', () => res.end('{}'));
    if (mode === 'fail') req.on('end', () => res.writeHead(500).end('{}'));
    if (waiter && ++arrived >= waiter.n) waiter.resolve();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    arrived: (n) => new Promise((resolve) => (waiter = { n, resolve })),
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

async function sandbox(args) {
  const child = spawn(process.execPath, [BIN, 'sandbox', '--json', ...args], { env: { ...process.env, NO_COLOR: '1', CI: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const attempts = [];
  let waiter;
  const ready = await new Promise((resolve) =>
    lines.on('line', (line) => {
      const e = JSON.parse(line);
      if (e.type === 'ready') resolve(e);
      if (e.type === 'attempt') {
        attempts.push(e);
        if (waiter && attempts.length >= waiter.n) waiter.resolve();
      }
    }),
  );
  return {
    child,
    url: ready.url,
    attemptsReached: (n) =>
      new Promise((resolve) => {
        if (attempts.length >= n) resolve();
        else waiter = { n, resolve };
      }),
  };
}

const api = async (url, body) => {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify(body) });
  const json = await res.body.json();
  if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${JSON.stringify(json)}`);
  return json;
};

async function stop(child) {
  const started = performance.now();
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = await exited;
  return { code, ms: round(performance.now() - started) };
}

async function memory(store) {
  const target = await app('ok');
  const dir = store ? await mkdtemp(path.join(tmpdir(), 'webhook-bench-sandbox-')) : undefined;
  const s = await sandbox(dir ? ['--store', dir] : []);
  for (let i = 0; i < 500; i++) await api(`${s.url}/v1/webhooks`, { url: `${target.url}/e${i}`, events: ['transaction.completed'] });
  const before = await status(s.child.pid, 'VmRSS');
  await api(`${s.url}/v1/events`, { event: 'transaction.completed', data: { blob: 'x'.repeat(1_000_000) } });
  await s.attemptsReached(500);
  const after = await status(s.child.pid, 'VmRSS');
  const peak = await status(s.child.pid, 'VmHWM');
  const stopped = await stop(s.child);
  await target.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  return { case: `1 MB event to 500 endpoints${store ? ' (--store)' : ''}`, rssBeforeMiB: round(before), rssAfterMiB: round(after), peakMiB: round(peak), addedMiB: round(after - before), exitMs: stopped.ms };
}

async function registration(count) {
  const dir = await mkdtemp(path.join(tmpdir(), 'webhook-bench-sandbox-'));
  const s = await sandbox(['--store', dir]);
  const started = performance.now();
  const marks = [];
  for (let i = 0; i < count; i++) {
    if (i % (count / 4) === 0) marks.push(performance.now());
    await api(`${s.url}/v1/webhooks`, { url: `http://127.0.0.1:9/e${i}`, events: ['transaction.completed'] });
  }
  const ms = performance.now() - started;
  marks.push(performance.now());
  const quarter = (q) => round((marks[q + 1] - marks[q]) / (count / 4), 2);
  await stop(s.child);
  await rm(dir, { recursive: true, force: true });
  return { case: `register ${count} endpoints with --store`, totalMs: round(ms), perEndpointMs: round(ms / count, 2), firstQuarterMsEach: quarter(0), lastQuarterMsEach: quarter(3) };
}

async function sigterm(count) {
  const hang = await app('hang');
  const s = await sandbox(['--timeout', '600000']);
  for (let i = 0; i < count; i++) await api(`${s.url}/v1/webhooks`, { url: `${hang.url}/e${i}` });
  const inFlight = hang.arrived(count);
  await api(`${s.url}/v1/events`, { event: 'transaction.completed' });
  await inFlight;
  const stopped = await stop(s.child);
  await hang.close();
  return { case: `SIGTERM with ${count} deliveries hanging`, exitCode: stopped.code, exitMs: stopped.ms };
}

/** A retry storm with --store: every attempt to 300 endpoints fails at once and is retried quickly. */
async function storm(count) {
  const fail = await app('fail');
  const dir = await mkdtemp(path.join(tmpdir(), 'webhook-bench-sandbox-'));
  const s = await sandbox(['--store', dir, '--time-scale', '0.00001']);
  for (let i = 0; i < count; i++) await api(`${s.url}/v1/webhooks`, { url: `${fail.url}/e${i}` });
  await api(`${s.url}/v1/events`, { event: 'transaction.completed', data: { blob: 'x'.repeat(100_000) } });
  await s.attemptsReached(count);
  const stopped = await stop(s.child);
  await fail.close();
  await rm(dir, { recursive: true, force: true });
  return { case: `SIGTERM in a retry storm: 100 kB event to ${count} failing endpoints, --store`, exitCode: stopped.code, exitMs: stopped.ms };
}

export async function run() {
  const rows = [await memory(false), await memory(true), await registration(4000), await sigterm(200), await storm(300)];
  return {
    title,
    goal: 'a 1 MB event to 500 endpoints adds tens of MB, not a copy per delivery; registering with --store costs the same per endpoint at 4000 as at 1; SIGTERM exits 130 in well under 2 s',
    note: 'Before one body per event and the --store journal (the previous release, same machine): the 1 MB event added 1128 MiB (peak 1235 MiB) and crashed the sandbox with --store ("Invalid string length"); 4000 registrations took 14.3 s with each one slower as the file grew (1.7 ms in the first quarter, 5.2 ms in the last); SIGTERM in the retry storm took 319 s.',
    rows,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const only = process.argv[2]; // memory | store | registration | sigterm
  const cases = { memory: () => memory(false), store: () => memory(true), registration: () => registration(4000), sigterm: () => sigterm(200), storm: () => storm(300) };
  for (const [name, measure] of Object.entries(cases)) if (!only || only === name) console.log(JSON.stringify(await measure().catch((error) => ({ case: name, failed: error.message }))));
}
