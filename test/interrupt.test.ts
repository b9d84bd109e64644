import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HTTP_POOL_MAX_FIXTURES, type ReplayResult } from '../src/delivery/replay.js';
import { junitReporter } from '../src/reports/replay-report.js';
import { BIN, cliEnv, ROOT } from './support/cli.js';
import { startListenCli, type ListenProcess } from './support/listen.js';
import { startStubApp, type StubApp } from './support/stub-app.js';

/**
 * A real app on loopback that answers its first `answerFirst` requests with 200 and holds every
 * later one unanswered for good (the test never releases them): a replay cannot finish while it
 * waits for them, so an exit proves it stopped waiting.
 */
interface SlowApp {
  readonly url: string;
  /** Requests that reached the app so far. */
  count(): number;
  /** Held requests (never answered) and whether the client cut them off. */
  readonly held: { res: ServerResponse; cutOff: boolean }[];
  /** Resolves once n requests have reached the app. */
  arrivals(n: number): Promise<void>;
  /** Resolves once every connection to the app is closed (all request bytes sent on it were parsed by then). */
  allClosed(): Promise<void>;
  close(): Promise<void>;
}

async function startSlowApp(answerFirst: number): Promise<SlowApp> {
  let count = 0;
  const held: SlowApp['held'] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const sockets = new Set<Socket>();
  const closedWaiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    const n = ++count;
    for (const w of waiters.filter((w) => count >= w.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
    req.resume();
    if (n <= answerFirst) {
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
      return;
    }
    const entry = { res, cutOff: false };
    held.push(entry);
    res.on('close', () => (entry.cutOff = !res.writableEnded));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0) for (const resolve of closedWaiters.splice(0)) resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`,
    count: () => count,
    held,
    arrivals: (n) => new Promise<void>((resolve) => (count >= n ? resolve() : waiters.push({ n, resolve }))),
    allClosed: () => new Promise<void>((resolve) => (sockets.size === 0 ? resolve() : closedWaiters.push(resolve))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Spawned {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr holds this text. */
  stderrHas(text: string): Promise<void>;
  /** Exit code and signal, once the process is gone and its output read. */
  readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnCli(args: readonly string[], env: Record<string, string> = {}): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const stderrWaiters: { text: string; resolve: () => void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    for (const w of stderrWaiters.filter((w) => stderr.includes(w.text))) {
      stderrWaiters.splice(stderrWaiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    stderrHas: (text) => new Promise<void>((resolve) => (stderr.includes(text) ? resolve() : stderrWaiters.push({ text, resolve }))),
    closed,
  };
}

/** The root of a JUnit file, checked to be whole (declaration, one <testsuites> root, closed). */
function readJUnit(file: string): { tests: number; failures: number; skipped: number; cases: string[]; xml: string } {
  const xml = readFileSync(file, 'utf8');
  expect(xml.startsWith('<?xml version="1.0"')).toBe(true);
  expect(xml.trimEnd().endsWith('</testsuites>')).toBe(true);
  expect(xml.match(/<testsuites[\s>]/g)).toHaveLength(1);
  const root = /<testsuites ([^>]*)>/.exec(xml)![1]!;
  const attr = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(root)![1]);
  const cases = xml.match(/<testcase\b[^>]*?(?:\/>|>[\s\S]*?<\/testcase>)/g) ?? [];
  expect(xml.match(/<testcase\b/g) ?? []).toHaveLength(cases.length);
  return { tests: attr('tests'), failures: attr('failures'), skipped: attr('skipped'), cases, xml };
}

const PAYSTACK_FIXTURES = readdirSync(path.join(ROOT, 'fixtures/paystack')).filter((f) => f.endsWith('.json')).length;
const ENV = { PAYSTACK_SECRET_KEY: 'sk_test_interrupt' };

let dir: string;
let app: SlowApp | undefined;
let cli: Spawned | undefined;
let listen: ListenProcess | undefined;
let forward: StubApp | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-interrupt-'));
});

afterEach(async () => {
  if (cli && cli.child.exitCode === null && cli.child.signalCode === null) {
    cli.child.kill('SIGKILL');
    await cli.closed;
  }
  if (listen && listen.child.exitCode === null && listen.child.signalCode === null) await listen.stop('SIGKILL');
  await app?.close();
  await forward?.close();
  cli = app = listen = forward = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('replay, interrupted', () => {
  it('Ctrl-C: nothing is sent after the signal, in-flight requests are cut off, the summary and the JUnit file are written, exit 130', async () => {
    expect(PAYSTACK_FIXTURES).toBeGreaterThan(10);
    app = await startSlowApp(3);
    const junit = path.join(dir, 'reports', 'webhooks.xml');
    cli = spawnCli(['replay', 'fixtures/paystack', '--to', app.url, '--concurrency', '2', '--junit', junit], ENV);
    // 3 answered + 2 held: with 2 in flight at once, nothing more can go out until a held one ends.
    await app.arrivals(5);
    const atSignal = app.count();
    cli.child.kill('SIGINT');
    const first = await Promise.race([cli.closed, app.arrivals(atSignal + 1).then(() => 'a request reached the app after SIGINT' as const)]);
    expect(first).toEqual({ code: 130, signal: null });
    await app.allClosed(); // every byte the CLI sent has been parsed by the app now
    expect(app.count()).toBe(atSignal);
    // It exited while the app still held both requests: the app never answered them, the CLI hung up.
    expect(app.held).toHaveLength(2);
    expect(app.held.every((h) => h.cutOff && !h.res.headersSent)).toBe(true);

    const skipped = PAYSTACK_FIXTURES - 3;
    const lines = cli.stdout().trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('✓ 200 paystack '))).toHaveLength(3);
    expect(lines).toHaveLength(4); // skipped fixtures only count in the summary
    expect(lines.at(-1)).toMatch(new RegExp(`^sent 3, passed 3, failed 0, skipped ${skipped}, p50 \\d+ ms, p95 \\d+ ms \\(interrupted\\)$`));
    expect(cli.stderr()).toContain('interrupted: nothing more is sent');
    expect(cli.stderr()).not.toMatch(/error|\n\s+at /);

    const report = readJUnit(junit);
    expect(report).toMatchObject({ tests: PAYSTACK_FIXTURES, failures: 0, skipped });
    expect(report.cases).toHaveLength(PAYSTACK_FIXTURES);
    expect(report.cases.filter((c) => c.includes('<skipped/>') && c.includes('interrupted while waiting for the answer'))).toHaveLength(2);
    expect(report.cases.filter((c) => c.includes('<skipped/>') && c.includes('interrupted before it was sent'))).toHaveLength(skipped - 2);
    expect(report.xml).not.toContain('not finished');
    expect(readdirSync(path.dirname(junit))).toEqual(['webhooks.xml']); // no temporary file left
  });

  /**
   * `replay <fixtures> --json` against an app that answers the first request and holds the rest;
   * SIGTERM once four arrived: exit 130, and nothing reaches the app after the signal. Its NDJSON records.
   */
  async function sigtermDuringReplay(fixtures: string): Promise<Record<string, unknown>[]> {
    app = await startSlowApp(1);
    cli = spawnCli(['replay', fixtures, '--to', app.url, '--concurrency', '3', '--json'], ENV);
    await app.arrivals(4);
    const atSignal = app.count();
    cli.child.kill('SIGTERM');
    expect(await Promise.race([cli.closed, app.arrivals(atSignal + 1).then(() => 'a request reached the app after SIGTERM' as const)])).toEqual({ code: 130, signal: null });
    await app.allClosed();
    expect(app.count()).toBe(atSignal);
    return cli.stdout().trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  it('SIGTERM with --json: every fixture has a result line, the unfinished ones "skipped", then the summary', async () => {
    const records = await sigtermDuringReplay('fixtures/paystack');
    const results = records.filter((r) => r.type === 'result');
    expect(results).toHaveLength(PAYSTACK_FIXTURES);
    expect(new Set(results.map((r) => r.file)).size).toBe(PAYSTACK_FIXTURES);
    expect(results.filter((r) => r.passed === true && r.status === 200 && r.skipped === undefined)).toHaveLength(1);
    const skipped = results.filter((r) => r.skipped === true);
    expect(skipped).toHaveLength(PAYSTACK_FIXTURES - 1);
    expect(skipped.every((r) => r.passed === false && r.status === null)).toBe(true);
    expect(skipped.filter((r) => r.id !== '')).toHaveLength(3); // the three cut off in flight
    expect(records.at(-1)).toMatchObject({ type: 'summary', sent: 1, passed: 1, failed: 0, skipped: PAYSTACK_FIXTURES - 1, interrupted: true });
    expect(cli!.stderr()).toBe('');
  });

  it('a run of hundreds of fixtures (past the https size threshold too) stops the same way on SIGTERM', async () => {
    const total = HTTP_POOL_MAX_FIXTURES + 1;
    const folder = path.join(dir, 'paystack');
    await mkdir(folder);
    for (let i = 0; i < total; i++) await writeFile(path.join(folder, `e${String(i).padStart(4, '0')}.json`), `{"event":"charge.success","data":{"reference":"ref_${i}"}}`);
    const records = await sigtermDuringReplay(folder);
    expect(app?.held.every((h) => h.cutOff && !h.res.headersSent)).toBe(true);
    const results = records.filter((r) => r.type === 'result');
    expect(results).toHaveLength(total);
    expect(results.filter((r) => r.passed === true && r.status === 200)).toHaveLength(1);
    const skipped = results.filter((r) => r.skipped === true);
    expect(skipped).toHaveLength(total - 1);
    expect(skipped.filter((r) => r.id !== '')).toHaveLength(3); // the three cut off in flight
    expect(records.at(-1)).toMatchObject({ type: 'summary', sent: 1, passed: 1, skipped: total - 1, interrupted: true });
    expect(cli!.stderr()).toBe('');
  });

  it('a second Ctrl-C exits at once with 130 and still leaves a whole JUnit file accounting for every fixture', async () => {
    app = await startSlowApp(0);
    const junit = path.join(dir, 'webhooks.xml');
    cli = spawnCli(['replay', 'fixtures/paystack', '--to', app.url, '--concurrency', '2', '--junit', junit], ENV);
    await app.arrivals(2);
    cli.child.kill('SIGINT');
    // Said on stderr in the same turn that writes the interim report.
    await cli.stderrHas('interrupted: nothing more is sent');
    cli.child.kill('SIGINT');
    expect(await cli.closed).toEqual({ code: 130, signal: null });
    await app.allClosed();
    expect(app.count()).toBe(2);
    // Either the interim report (nothing finished, one case counting the rest) or the final one.
    const report = readJUnit(junit);
    const rest = /(\d+) fixtures not finished: interrupted/.exec(report.xml);
    expect(report.failures).toBe(0);
    expect(report.skipped).toBe(report.tests);
    expect(rest ? Number(rest[1]) + report.tests - 1 : report.tests).toBe(PAYSTACK_FIXTURES);
    expect(readdirSync(dir)).toEqual(['webhooks.xml']);
  });

  it('the JUnit reporter writes an interim report at the interrupt, then the final one over it', async () => {
    const file = path.join(dir, 'junit.xml');
    const reporter = await junitReporter(file);
    const result = (index: number, extra: Partial<ReplayResult>): ReplayResult => ({ index, file: `f${index}.json`, event: 'charge.success', provider: 'paystack', status: 200, passed: true, expected: '2xx', durationMs: 5, id: `id${index}`, ...extra });
    reporter.start({ total: 5, url: 'http://127.0.0.1:1/' });
    reporter.result(result(0, {}));
    reporter.result(result(1, { status: 500, passed: false }));
    reporter.interrupted!({ reported: 2, total: 5 });
    const interim = readJUnit(file);
    expect(interim).toMatchObject({ tests: 3, failures: 1, skipped: 1 });
    expect(interim.xml).toContain('3 fixtures not finished: interrupted');

    reporter.result(result(2, { status: undefined, passed: false, skipped: true }));
    reporter.result(result(3, { status: undefined, passed: false, skipped: true, id: '' }));
    reporter.result(result(4, { status: undefined, passed: false, skipped: true, id: '' }));
    await reporter.finish({ sent: 2, passed: 1, failed: 1, skipped: 3, p50Ms: 5, p95Ms: 5, durationMs: 9, interrupted: true });
    const final = readJUnit(file);
    expect(final).toMatchObject({ tests: 5, failures: 1, skipped: 3 });
    expect(final.xml).not.toContain('not finished');
    expect(readdirSync(dir)).toEqual(['junit.xml']);
  });
});

describe('listen, interrupted', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('%s: the session is cleaned up and the exit code is 130', async (signal) => {
    forward = await startStubApp();
    const store = path.join(dir, 'store');
    listen = await startListenCli(['-p', 'paystack', '-f', forward.url, '--secret', 'sk_test_x', '--store', store]);
    expect(existsSync(path.join(store, 'session.json'))).toBe(true);
    expect(await listen.stop(signal)).toBe(130);
    expect(existsSync(path.join(store, 'session.json'))).toBe(false);
    expect(listen.stderr()).toBe('');
  });

  it('SIGTERM ends the session even when stdout\'s reader stopped reading (`| less` at a page): every delivery is in the log', async () => {
    forward = await startStubApp();
    const store = path.join(dir, 'store');
    listen = await startListenCli(['-p', 'paystack', '-f', forward.url, '--secret', 'sk_test_x', '--store', store]);
    // The reader stops: listen's lines back up behind it (each names a 200 KB event: megabytes in
    // all). Nothing more is read: what was queued is dropped at the end, a last line may be torn.
    listen.child.stdout!.pause().removeAllListeners('data');
    const deliveries = 20;
    for (let i = 0; i < deliveries; i++) {
      const answer = await fetch(`${String(listen.ready.localUrl)}/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event: `${i}.${'e'.repeat(200_000)}` }) });
      expect(answer.status).toBe(200);
      await answer.arrayBuffer();
    }
    expect(await listen.stop('SIGTERM')).toBe(130);
    const records = readFileSync(path.join(store, 'deliveries.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string });
    expect(records.filter((r) => r.kind === 'request')).toHaveLength(deliveries);
    expect(records.filter((r) => r.kind === 'outcome')).toHaveLength(deliveries);
  });
});
