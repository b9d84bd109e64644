import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { newDeliveryId, openDeliveryLog } from '../src/store/delivery-log.js';
import { BIN, cliEnv, ROOT } from './support/cli.js';
import { startStubApp, type StubApp } from './support/stub-app.js';

/**
 * Output into a pipe whose reader has gone must end quietly with exit 0, in every command.
 * Two ways to close the pipe: a real `| head -1` (the output is made far larger than the pipe's
 * buffer, so head is gone while the CLI is still writing), and a pipe whose reading end is closed
 * before the CLI starts (so even a short output, such as --help, writes into a closed pipe).
 */

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** `node bin/webhook.js ARGS | head -1` in bash; the exit code is the CLI's own (PIPESTATUS[0]). */
function throughHead(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const script = `${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')} | head -1; exit "\${PIPESTATUS[0]}"`;
  return collect(spawn('bash', ['-c', script], { cwd: ROOT, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** The CLI with its stdout a pipe nobody reads: the reading end is closed as soon as it is spawned. */
function intoClosedPipe(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.destroy(); // closes our (the only) reading end now, before the CLI has started
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: '', stderr }));
  });
}

function collect(child: ReturnType<typeof spawn>): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const DELIVERIES = 3000;
const FIXTURES = 5000;
let dir: string;
let store: string;
let fixtures: string;
let app: StubApp;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-pipes-'));
  // A store with thousands of deliveries: `log --json` writes megabytes.
  store = path.join(dir, 'store');
  const log = await openDeliveryLog(store);
  const body = Buffer.from(JSON.stringify({ event: 'charge.success', data: { reference: 'x'.repeat(400), amount: 5000 } }));
  const writes: Promise<void>[] = [];
  for (let i = 0; i < DELIVERIES; i++) {
    const id = newDeliveryId(systemClock);
    writes.push(log.appendRequest({ kind: 'request', id, receivedAt: 1_700_000_000_000 + i, provider: 'paystack', event: 'charge.success', method: 'POST', path: '/webhooks', headers: { 'content-type': 'application/json' }, bodyBase64: body.toString('base64'), bodySize: body.length, signature: { state: 'verified' } }));
    writes.push(log.appendOutcome({ kind: 'outcome', id, at: 1_700_000_000_001 + i, target: 'http://127.0.0.1:3000/webhooks', status: 200, durationMs: 3, answered: 200 }));
  }
  await Promise.all(writes);
  await log.close();
  // Thousands of fixtures: `fixtures` and `replay --json` write hundreds of kilobytes.
  fixtures = path.join(dir, 'fixtures');
  await mkdir(path.join(fixtures, 'paystack'), { recursive: true });
  await Promise.all(Array.from({ length: FIXTURES }, (_, i) => writeFile(path.join(fixtures, 'paystack', `custom.event_${String(i).padStart(5, '0')}.json`), JSON.stringify({ event: `custom.event_${i}`, data: { id: i } }))));
  app = await startStubApp(() => ({ status: 200, body: '{"ok":true}' }));
});

afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('output into a closed pipe ends quietly with exit 0', () => {
  it('log --json | head -1 (thousands of deliveries)', async () => {
    const run = await throughHead(['log', '--json', '--limit', String(DELIVERIES), '--store', store]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toMatchObject({ event: 'charge.success' });
  });

  it('log | head -1', async () => {
    const run = await throughHead(['log', '--limit', String(DELIVERIES), '--store', store]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('charge.success');
  });

  it('fixtures | head -1 and fixtures --json | head -1 (thousands of fixtures)', async () => {
    const plain = await throughHead(['fixtures', '--fixtures', fixtures, '--provider', 'paystack']);
    expect(plain).toMatchObject({ code: 0, stderr: '' });
    expect(plain.stdout).toMatch(/^paystack +\S+/);
    const json = await throughHead(['fixtures', 'list', '--fixtures', fixtures, '--provider', 'paystack', '--json']);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(json.stdout)).toMatchObject({ provider: 'paystack' });
  });

  it('replay --json | head -1 (thousands of fixtures) stops sending once nobody reads', async () => {
    const run = await throughHead(['replay', path.join(fixtures, 'paystack'), '--to', app.url, '--json'], { PAYSTACK_SECRET_KEY: 'sk_test_pipes' });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toMatchObject({ type: 'result', passed: true });
    expect(app.received.length).toBeLessThan(FIXTURES);
  });

  it('replay | head -1: the interrupt note is not said, only the start note from before the pipe closed', async () => {
    const before = app.received.length;
    const run = await throughHead(['replay', path.join(fixtures, 'paystack'), '--to', app.url], { PAYSTACK_SECRET_KEY: 'sk_test_pipes' });
    expect(run).toMatchObject({ code: 0, stderr: `replaying ${FIXTURES} fixtures to ${app.url}/\n` });
    expect(run.stdout).toMatch(/^✓ 200 paystack custom\.event_/);
    expect(app.received.length - before).toBeLessThan(FIXTURES);
  });

  it.each([
    [['--help']],
    [['replay', '--help']],
    [['--version']],
    [['providers']],
    [['providers', '--json']],
    [['fixtures']],
    [['fixtures', 'show', 'charge.success', '--provider', 'paystack']],
    [['completion', 'bash']],
    [['log', '--store', '<store>']],
    [['sign', '--provider', 'paystack', '--secret', 'sk_test_x', '--body', '{"a":1}']],
  ])('%j into a pipe already closed', async (args) => {
    const run = await intoClosedPipe(args.map((a) => (a === '<store>' ? store : a)));
    expect(run).toMatchObject({ code: 0, signal: null, stderr: '' });
  });

  it('a real error still says so and exits 2 when stdout is closed', async () => {
    const run = await intoClosedPipe(['trigger', 'charge.success', '--provider', 'nope', '--to', 'http://127.0.0.1:9/']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: .*\nhint: /);
  });
});
