import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findSession, SESSION_FILE } from '../src/listen/session.js';
import type { SessionInfo } from '../src/session-protocol.js';
import { adoptable, LEDGER_FILE, readLedgerChecked } from '../src/registration/ledger.js';
import { createEndpoint, listEndpoints, updateEndpoint } from '../src/registration/paykore.js';
import { runCli } from './support/cli.js';
import { startStubApp, type StubApp } from './support/stub-app.js';

// Issue 17 item 6: JSON that comes from outside the process (the store's session file and
// endpoint ledger, a listen session's answer, the PayKore API's answers) is checked, not cast.
let dir: string;
let store: string;
let servers: StubApp[] = [];
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-untrusted-'));
  store = path.join(dir, 'store');
  await mkdir(store, { mode: 0o700 });
  await mkdir(path.join(dir, 'fx', 'koard'), { recursive: true });
  await writeFile(path.join(dir, 'fx', 'koard', 'transfer.success.json'), '{"type":"transfer.success","data":{}}');
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  await rm(dir, { recursive: true, force: true });
});
async function serve(answer: Parameters<typeof startStubApp>[0]): Promise<StubApp> {
  const server = await startStubApp(answer);
  servers.push(server);
  return server;
}
const trigger = (args: string[]) => runCli(['trigger', ...args, '--fixtures', path.join(dir, 'fx')], { env: { WEBHOOK_STORE: store }, cwd: dir });
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('error:'));

describe('the session file', () => {
  const planted: [string, string, RegExp][] = [
    ['not JSON', '{"pid": 1,', /invalid JSON/],
    ['null', 'null', /expected object/],
    ['a list', '[]', /expected object/],
    ['a pid that is a string', JSON.stringify({ pid: 'x', provider: 'koard', localUrl: 'http://127.0.0.1:1', forwardTo: 'http://127.0.0.1:2/', controlUrl: 'http://127.0.0.1:3', token: 't', startedAt: 'then' }), /^pid: /],
    ['no token', JSON.stringify({ pid: process.pid, provider: 'koard', localUrl: 'http://127.0.0.1:1', forwardTo: 'http://127.0.0.1:2/', controlUrl: 'http://127.0.0.1:3', startedAt: 'then' }), /^token: /],
  ];
  it.each(planted)('that is %s is no session, reported as such and left in place', async (_, text, problem) => {
    await writeFile(path.join(store, SESSION_FILE), text);
    const lookup = await findSession(store);
    expect(lookup.live).toBeUndefined();
    expect(lookup.gone).toBeUndefined();
    expect(lookup.invalid).toMatch(problem);

    const result = await trigger(['transfer.success', '-p', 'koard']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`ignored ${path.join(store, SESSION_FILE)}: it is not a listen session file (`);
    expect(errorLines(result.stderr)).toEqual(['error: nowhere to send the event']);
    expect(result.stderr).not.toMatch(/unexpected failure|    at /);
  });

  it("a session that answers something that is not a delivery record: one clear failure, exit 1", async () => {
    for (const body of ['null', '{"id":5}', '[1,2]']) {
      const session = await serve(() => ({ status: 200, body }));
      const info: SessionInfo = { pid: process.pid, provider: 'koard', localUrl: 'http://127.0.0.1:1', forwardTo: 'http://127.0.0.1:3000/hooks', controlUrl: session.url, token: 'tok_1', startedAt: new Date(0).toISOString() };
      await writeFile(path.join(store, SESSION_FILE), JSON.stringify(info));
      const result = await trigger(['transfer.success', '--json']);
      expect(result.code, body).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { kind: 'session', message: expect.stringMatching(/^the listen session answered 200 with something that is not a delivery record \(/) } });
      expect(result.stderr, body).not.toMatch(/unexpected failure|    at /);
      expect(session.received).toHaveLength(1);
    }
  });
});

describe('the endpoint ledger (endpoints.json)', () => {
  const valid = { id: 'wh_ok', apiBase: 'http://127.0.0.1:9', url: 'https://a.example/', pid: 2 ** 22 + 7, createdAt: '2026-01-01T00:00:00.000Z' };
  it('skips and reports entries that are not endpoints, secrets included, and keeps the valid ones', async () => {
    const entries = [null, { ...valid, id: 'wh_pid', pid: 'x' }, { ...valid, id: 'wh_secret', secret: 42 }, 'text', valid];
    await writeFile(path.join(store, LEDGER_FILE), JSON.stringify(entries));
    const { entries: read, problems } = await readLedgerChecked(store);
    expect(read.map((e) => e.id)).toEqual(['wh_ok']);
    expect(problems).toEqual([
      expect.stringMatching(/entry 1 skipped \(an endpoint entry: Invalid input: expected object/),
      expect.stringMatching(/entry 2 skipped \(pid: /),
      expect.stringMatching(/entry 3 skipped \(secret: /),
      expect.stringMatching(/entry 4 skipped/),
    ]);
    // A kept secret that is not a string is never adopted as the session's secret.
    const api = { apiBase: valid.apiBase, apiKey: 'sk_test_x' };
    expect(await adoptable(api, store, () => false)).toBeUndefined();
  });

  it('a ledger that is not JSON, or not a list, is ignored with a line saying so', async () => {
    await writeFile(path.join(store, LEDGER_FILE), '{"id":');
    expect(await readLedgerChecked(store)).toEqual({ entries: [], problems: [`${path.join(store, LEDGER_FILE)} is not JSON: ignored`] });
    await writeFile(path.join(store, LEDGER_FILE), JSON.stringify({ 0: valid }));
    expect(await readLedgerChecked(store)).toEqual({ entries: [], problems: [`${path.join(store, LEDGER_FILE)} is not a list of endpoints: ignored`] });
  });

  it('`webhook endpoints list` with a planted bad entry reports it and lists the rest', async () => {
    const paykore = await serve(() => ({ status: 200, body: JSON.stringify({ data: [{ id: 'wh_ok', url: 'https://a.example/', events: [] }] }) }));
    await writeFile(path.join(store, LEDGER_FILE), JSON.stringify([null, { ...valid, apiBase: paykore.url }]));
    const result = await runCli(['endpoints', 'list', '--api-base', paykore.url, '--store', store], { env: { PAYKORE_API_KEY: 'sk_test_x' }, cwd: dir });
    expect(result.stderr).toMatch(/entry 1 skipped \(an endpoint entry: Invalid input: expected object, received null\)/);
    expect(result.stderr).not.toMatch(/unexpected failure|    at /);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^wh_ok  https:\/\/a\.example\/  .+\n$/);
  });
});

describe('PayKore API answers', () => {
  const api = (url: string) => ({ apiBase: url, apiKey: 'sk_test_x' });
  it.each([
    ['not JSON', '<html>', /answered something that is not JSON/],
    ['null', 'null', /answered something that is not an endpoint \(an endpoint: Invalid input: expected object/],
    ['an id that is a number', '{"id":5,"url":"https://a.example/"}', /answered something that is not an endpoint \(id: /],
    ['a secret that is an object', '{"id":"wh_1","url":"https://a.example/","secret":{}}', /answered something that is not an endpoint \(secret: /],
  ])('an endpoint answered as %s is one clear error', async (_, body, message) => {
    const paykore = await serve(() => ({ status: 200, body }));
    await expect(createEndpoint(api(paykore.url), { url: 'https://a.example/' })).rejects.toThrow(message);
    await expect(updateEndpoint(api(paykore.url), 'wh_1', { url: 'https://a.example/' })).rejects.toThrow(message);
  });

  it('a list answered without a list of endpoints is one clear error', async () => {
    for (const body of ['{}', '{"data":"x"}', '{"data":[null]}', '{"data":[{"id":"wh_1"}]}']) {
      const paykore = await serve(() => ({ status: 200, body }));
      await expect(listEndpoints(api(paykore.url)), body).rejects.toThrow(/^PayKore GET \/v1\/webhooks answered something that is not a list of endpoints \(data/);
    }
  });

  it('`webhook endpoints list` against a hostile API: error, hint, exit 1, no stack', async () => {
    const paykore = await serve(() => ({ status: 200, body: '{"data":[null]}' }));
    const result = await runCli(['endpoints', 'list', '--api-base', paykore.url, '--store', store], { env: { PAYKORE_API_KEY: 'sk_test_x' }, cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: PayKore GET \/v1\/webhooks answered something that is not a list of endpoints \(data\.0: Invalid input: expected object, received null\)\nhint: check --api-base/);
    expect(result.stdout).toBe('');
  });

  it('an error answer whose fields are not strings is still one readable line', async () => {
    const paykore = await serve(() => ({ status: 422, body: '{"error":{"code":{"x":1},"message":7}}' }));
    await expect(createEndpoint(api(paykore.url), { url: 'https://a.example/' })).rejects.toThrow(/^PayKore POST \/v1\/webhooks failed \(HTTP 422\)$/);
  });
});
