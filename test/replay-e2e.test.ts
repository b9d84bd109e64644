import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './support/cli.js';
import { startStubApp, type StubApp } from './support/stub-app.js';
import { SECRETS, verifyDelivery } from './support/verifier.js';

const BUILTIN = path.join(ROOT, 'fixtures');
let dir: string;
let servers: StubApp[] = [];

/** A real server that verifies every delivery with the official libraries: 200 when valid, 401 when not. */
async function verifyingServer(status: (verified: boolean, body: string) => number = (ok) => (ok ? 200 : 401)) {
  const verdicts: { provider: string | undefined; verified: boolean; body: Buffer }[] = [];
  const server = await startStubApp(async (r) => {
    const verdict = await verifyDelivery(r);
    verdicts.push({ ...verdict, body: r.body });
    return { status: status(verdict.verified, r.body.toString('utf8')), body: verdict.verified ? '{"received":true}' : '{"error":"invalid signature"}' };
  });
  servers.push(server);
  return { server, verdicts };
}

async function write(root: string, files: Record<string, string>): Promise<string> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), text);
  }
  return root;
}

async function countJson(root: string): Promise<number> {
  let n = 0;
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) if (entry.isFile() && entry.name.endsWith('.json')) n++;
  return n;
}

const replay = (args: string[]) => runCli(['replay', ...args], { env: { ...SECRETS }, cwd: dir });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-replay-'));
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PRETTY = '{\n    "event": "transaction.completed",\n    "data": {"id": "txn_{{random.int}}", "amount": 250000, "note": "na\\u00efve", "big": 98765432109876543210}\n}\n';

describe('webhook replay', () => {
  it('every provider scheme arrives verified by the official libraries, bytes identical', async () => {
    const root = await write(path.join(dir, 'all'), {
      'paykore/transaction.completed.json': '{"event":"transaction.completed","data":{"id":"txn_1"}}',
      'paykore/pretty.json': PRETTY,
      'paystack/charge.success.json': '{"event":"charge.success","data":{"reference":"{{ref}}","amount":10000}}',
      'koard/transaction.created.json': '{"type":"transaction.created","data":{"id":"{{uuid}}"}}',
      'standard/invoice.paid.json': '{"type":"invoice.paid","timestamp":"{{now}}","data":{}}',
      'stripe/payment_intent.succeeded.json': '{"id":"evt_1","type":"payment_intent.succeeded","created":{{unix}},"data":{"object":{}}}',
      'github/push.json': '{"ref":"refs/heads/main"}',
      'generic/payment.success.json': '{"event":"payment.success","data":{"transaction_id":"t1","amount":100}}',
      'envelope/raw.json': '{"$fixture": {"provider": "paystack", "event": "charge.success"}, "rawBody": "{\\"event\\":\\"charge.success\\", \\"n\\": 1.0}"}',
    });
    const { server, verdicts } = await verifyingServer();
    const result = await replay([root, '--to', `${server.url}/hooks`, '--concurrency', '3']);
    expect(result.stderr).toContain('replaying 9 fixtures');
    expect(result.code).toBe(0);
    expect(verdicts.map((v) => v.provider).sort()).toEqual(['generic', 'github', 'koard', 'paykore', 'paykore', 'paystack', 'paystack', 'standard', 'stripe']);
    expect(verdicts.every((v) => v.verified)).toBe(true);
    const pretty = verdicts.find((v) => v.body.toString().includes('na\\u00efve'))!.body.toString('utf8');
    expect(pretty).toBe(PRETTY.replace(/txn_\{\{random.int\}\}/, pretty.match(/txn_\d+/)![0]));
    expect(verdicts.some((v) => v.body.toString() === '{"event":"charge.success", "n": 1.0}')).toBe(true);
    expect(result.stdout).toMatch(/^sent 9, passed 9, failed 0, p50 \d+ ms, p95 \d+ ms$/m);
  });

  it.skipIf(!existsSync(BUILTIN))('every built-in fixture of every provider arrives verified', async () => {
    const { server, verdicts } = await verifyingServer();
    const total = await countJson(BUILTIN);
    const result = await replay([BUILTIN, '--to', server.url, '--concurrency', '16', '--json']);
    const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; passed?: boolean; file?: string; provider?: string });
    const failures = lines.filter((l) => l.type === 'result' && !l.passed);
    expect(failures).toEqual([]);
    expect(result.code).toBe(0);
    expect(verdicts).toHaveLength(total);
    expect(verdicts.filter((v) => !v.verified)).toEqual([]);
    for (const line of lines.filter((l) => l.type === 'result')) expect(line.file!.split(path.sep).at(-2)).toBe(line.provider);
  });

  it('checks expectations (run and per fixture), reports NDJSON in stable order and JUnit XML, exits 1 on a failure', async () => {
    const root = await write(path.join(dir, 'expect'), {
      'paystack/a-ok.json': '{"event":"charge.success"}',
      'paystack/b-accepted.json': '{"$fixture": {"expect": [200, 202]}, "body": {"event":"charge.success"}}',
      'paystack/c-bad-signature.json': '{"$fixture": {"expect": 401, "headers": {"x-paystack-signature": "forged"}}, "body": {"event":"charge.success"}}',
      'paystack/d-app-error.json': '{"event":"refund.failed","boom":true}',
      'paystack/e-wrong-expect.json': '{"$fixture": {"expect": "4xx"}, "body": {"event":"charge.success"}}',
    });
    const { server } = await verifyingServer((ok, body) => (!ok ? 401 : body.includes('boom') ? 500 : 200));
    const junit = path.join(dir, 'reports', 'junit.xml');
    const result = await replay([root, '--to', server.url, '--json', '--junit', junit, '--concurrency', '5']);
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const results = lines.filter((l) => l.type === 'result');
    expect(results.map((r) => path.basename(r.file as string))).toEqual(['a-ok.json', 'b-accepted.json', 'c-bad-signature.json', 'd-app-error.json', 'e-wrong-expect.json']);
    expect(results.map((r) => [r.status, r.passed, r.expected])).toEqual([
      [200, true, '2xx'],
      [200, true, '200 or 202'],
      [401, true, '401'],
      [500, false, '2xx'],
      [200, false, '4xx'],
    ]);
    expect(lines.at(-1)).toMatchObject({ type: 'summary', sent: 5, passed: 3, failed: 2 });

    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites [^>]*tests="5" failures="2"/);
    expect(xml).toMatch(/<testsuite name="webhook replay paystack" tests="5" failures="2"/);
    expect(xml.match(/<testcase /g)).toHaveLength(5);
    expect(xml.match(/<failure message="expected 2xx, got 500[^"]*" type="UnexpectedStatus"\/>/g)).toHaveLength(1);
    expect(xml.match(/<failure /g)).toHaveLength(2);
    expect(xml).toMatch(/<\/testcase>\s*<\/testsuite>\s*<\/testsuites>\s*$/);

    const runExpect = await replay([path.join(root, 'paystack', 'a-ok.json'), '--to', server.url, '--expect', '4xx']);
    expect(runExpect.code).toBe(1);
    expect(runExpect.stdout).toMatch(/^✗ 200 \(expected 4xx\) paystack a-ok/m);
    expect(runExpect.stdout).toContain('sent 1, passed 0, failed 1');
  });

  it('bad input exits 2 with one error line and sends nothing', async () => {
    const { server, verdicts } = await verifyingServer();
    const closed = await startStubApp();
    const closedUrl = closed.url;
    await closed.close();
    const good = await write(path.join(dir, 'good'), { 'paystack/charge.success.json': '{"event":"charge.success"}' });
    const bad = await write(path.join(dir, 'bad'), { 'paystack/a.json': '{"event":"charge.success"}', 'paystack/b.json': '{\n  "event": "charge.success",\n  "data": {"amount": 1,}\n}' });
    const loose = await write(path.join(dir, 'loose'), { 'thing.json': '{}' });
    await mkdir(path.join(dir, 'empty'), { recursive: true });
    const cases: [string[], RegExp][] = [
      [[path.join(dir, 'empty'), '--to', server.url], /^error: no fixtures found in /],
      [[bad, '--to', server.url], new RegExp(`^error: ${path.join('bad', 'paystack', 'b.json').replace(/[.\\]/g, '\\$&')}:3:24: invalid JSON`)],
      [[good, '--to', closedUrl], /^error: nothing is listening on http:\/\/127\.0\.0\.1:\d+ \(connection refused\); nothing was sent\n/],
      [[loose, '--to', server.url], /^error: loose\/thing\.json: cannot tell which provider sends it\n/],
      [[good, '--to', server.url, '--expect', 'ok'], /^error: --expect: cannot read the expected status "ok"/],
      [[good], /^error: nowhere to send the fixtures\n/],
      [[path.join(dir, 'missing'), '--to', server.url], /does not exist\n/],
      [[good, '--to', server.url, '--concurrency', '0'], /--concurrency must be a whole number ≥ 1/],
    ];
    for (const [args, message] of cases) {
      const result = await replay(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.replace(/^replaying .*\n/, '')).toMatch(message);
      expect(result.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
    }
    expect(verdicts).toHaveLength(0);
  });
});
