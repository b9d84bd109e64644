import { createHmac } from 'node:crypto';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { startHandler, type HandlerKind } from './support/handlers.js';
import { startStubApp, type StubApp } from './support/stub-app.js';

const PAYSTACK = 'sk_test_check_suite';
const KOARD = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
let handler: StubApp | undefined;
afterEach(async () => {
  await handler?.close();
  handler = undefined;
});

async function check(kind: HandlerKind, provider: 'paystack' | 'koard', extra: string[] = [], slowMs = 0) {
  const secret = provider === 'paystack' ? PAYSTACK : KOARD;
  handler = await startHandler(kind, provider, secret, slowMs);
  const result = await runCli(['check', '--to', `${handler.url}/webhooks`, '--provider', provider, '--secret', secret, '--json', ...extra]);
  const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const verdicts = Object.fromEntries(lines.filter((l) => l.type === 'case').map((l) => [l.id, l.passed]));
  return { code: result.code, verdicts, lines, stderr: result.stderr };
}

const ALL_PASS = { valid: true, 'reformatted-json': true, 'wrong-signature': true, 'missing-signature': true, 'altered-body': true, duplicate: true, 'unknown-event': true };

describe('webhook check', () => {
  it('passes a correct Paystack handler on every case (no timestamp case for Paystack)', async () => {
    const r = await check('correct', 'paystack');
    expect(r.verdicts).toEqual(ALL_PASS);
    expect(r.code).toBe(0);
  });

  it('passes a correct Koard (Svix) handler, including the stale-timestamp case', async () => {
    const r = await check('correct', 'koard');
    expect(r.verdicts).toEqual({ ...ALL_PASS, 'stale-timestamp': true });
    expect(r.code).toBe(0);
  });

  it('catches a handler that verifies JSON.stringify(parsed) and says to verify the raw body', async () => {
    const r = await check('stringify', 'paystack');
    expect(r.verdicts).toEqual({ ...ALL_PASS, 'reformatted-json': false });
    expect(r.code).toBe(1);
    const failure = r.lines.find((l) => l.id === 'reformatted-json');
    expect(failure.explanation).toMatch(/re-serialised body/);
    expect(failure.fix).toMatch(/raw request bytes/);
  });

  it('catches a handler that never verifies', async () => {
    const r = await check('no-verify', 'paystack');
    expect(r.verdicts).toEqual({ ...ALL_PASS, 'wrong-signature': false, 'missing-signature': false, 'altered-body': false });
    expect(r.code).toBe(1);
  });

  it('catches a Koard handler that ignores timestamps', async () => {
    const r = await check('ignores-timestamp', 'koard');
    expect(r.verdicts).toEqual({ ...ALL_PASS, 'stale-timestamp': false });
  });

  it('catches a handler that answers 500 to a duplicate', async () => {
    const r = await check('crash-on-duplicate', 'paystack');
    expect(r.verdicts).toEqual({ ...ALL_PASS, duplicate: false });
    expect(r.lines.find((l) => l.id === 'duplicate').got).toBe('200 then 500');
  });

  it('flags a handler slower than the timeout, and writes JUnit', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'webhook-check-'));
    try {
      const junit = path.join(dir, 'check.xml');
      const r = await check('slow', 'paystack', ['--timeout', '150', '--junit', junit], 400);
      expect(r.verdicts.valid).toBe(false);
      expect(r.lines.find((l) => l.id === 'valid').got).toBe('timeout');
      expect(r.code).toBe(1);
      const xml = await readFile(junit, 'utf8');
      expect(xml).toMatch(/<testsuite name="webhook check paystack" tests="7" failures="\d+"/);
      expect(xml).toContain('<failure');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('sends nothing but the cases: a handler that dies on any request without a body or signature still passes', async () => {
    // Parses before it verifies (keeping the raw bytes), as many do; an empty or unsigned HTTP
    // request kills it, as an uncaught JSON.parse('') kills a bare Node server.
    const requests: string[] = [];
    let app: StubApp | undefined;
    app = handler = await startStubApp((r) => {
      requests.push(r.method);
      if (r.method !== 'POST' || r.body.length === 0) {
        void app!.close();
        return new Promise(() => {});
      }
      const valid = r.headers['x-paystack-signature'] === createHmac('sha512', PAYSTACK).update(r.body).digest('hex');
      return { status: valid ? 200 : 401, body: valid ? '{"ok":true}' : '{"error":"invalid signature"}' };
    });
    const result = await runCli(['check', '--to', `${app.url}/webhooks`, '--provider', 'paystack', '--secret', PAYSTACK, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(requests.every((m) => m === 'POST')).toBe(true);
    expect(requests).toHaveLength(8); // 7 cases, the duplicate sends twice
  });

  it('when the app dies mid-run, later cases blame the app that stopped, not the case', async () => {
    // A handler that crashes (its server goes away) on the first POST without a signature.
    let app: StubApp | undefined;
    app = handler = await startStubApp((r) => {
      if (r.method === 'POST' && r.headers['x-paystack-signature'] === undefined) {
        void app!.close();
        return new Promise(() => {});
      }
      const valid = r.headers['x-paystack-signature'] === createHmac('sha512', PAYSTACK).update(r.body).digest('hex');
      return { status: valid ? 200 : 401 };
    });
    const result = await runCli(['check', '--to', `${app.url}/webhooks`, '--provider', 'paystack', '--secret', PAYSTACK, '--json']);
    expect(result.code).toBe(1);
    const cases = result.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'case');
    const byId = Object.fromEntries(cases.map((c) => [c.id, c]));
    expect(byId['wrong-signature'].passed).toBe(true);
    expect(byId['missing-signature']).toMatchObject({ passed: false, got: 'no answer', explanation: expect.stringMatching(/closed the connection without answering.*crashed/) });
    for (const id of ['altered-body', 'duplicate', 'unknown-event']) {
      expect(byId[id].passed, id).toBe(false);
      expect(byId[id].got, id).toMatch(/refused/);
      expect(byId[id].explanation, id).toMatch(/^your app stopped answering: nothing is listening on http:\/\/127\.0\.0\.1:\d+ any more \(connection refused\)/);
      expect(byId[id].explanation, id).not.toMatch(/unknown event type|duplicate|changed after/);
    }
  });

  it('exits 2 with one line when nothing listens at --to', async () => {
    const result = await runCli(['check', '--to', 'http://127.0.0.1:9/hooks', '--provider', 'paystack', '--secret', PAYSTACK]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: nothing is listening on http:\/\/127\.0\.0\.1:9 \(connection refused\)\nhint: start your app first/);
  });
});
