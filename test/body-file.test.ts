import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { startStubApp, type StubApp } from './support/stub-app.js';
import { SECRETS, verifyDelivery } from './support/verifier.js';

let dir: string;
let servers: StubApp[] = [];
// Bytes a re-serialiser would change: indentation, key order, an escape, a number beyond 2^53.
const BYTES = '{\n  "zeta": 1,\n  "alpha": "na\\u00efve",\n  "big": 98765432109876543210\n}\n';

async function verifyingApp() {
  const verdicts: { provider: string | undefined; verified: boolean }[] = [];
  const server = await startStubApp(async (r) => {
    const verdict = await verifyDelivery(r);
    verdicts.push(verdict);
    return { status: verdict.verified ? 200 : 401, body: '{"ok":true}' };
  });
  servers.push(server);
  return { server, verdicts };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-body-file-'));
  await writeFile(path.join(dir, 'body.json'), BYTES);
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('trigger --body-file: any event name, no fixture needed', () => {
  it('GitHub: an event with no fixture is sent as the file bytes, named in X-GitHub-Event, accepted by @octokit/webhooks-methods', async () => {
    const { server, verdicts } = await verifyingApp();
    const run = await runCli(['trigger', 'deployment_protection_rule', '-p', 'github', '--body-file', 'body.json', '--to', `${server.url}/gh`, '--json'], { cwd: dir, env: { ...SECRETS } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(server.received).toHaveLength(1);
    const [received] = server.received;
    expect(received!.body.toString('utf8')).toBe(BYTES);
    expect(received!.headers['x-github-event']).toBe('deployment_protection_rule');
    expect(verdicts).toEqual([{ provider: 'github', verified: true }]);
    const line = JSON.parse(run.stdout) as { event: string; status: number };
    expect(line).toMatchObject({ event: 'deployment_protection_rule', status: 200 });
  });

  it('Paystack: an event name outside its catalog is only a label; the bytes are signed as they are', async () => {
    const { server, verdicts } = await verifyingApp();
    const run = await runCli(['trigger', 'charge.made.up', '-p', 'paystack', '--body-file', 'body.json', '--to', server.url], { cwd: dir, env: { ...SECRETS } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(server.received[0]!.body.toString('utf8')).toBe(BYTES);
    expect(verdicts).toEqual([{ provider: 'paystack', verified: true }]);
    expect(run.stdout).toMatch(/^✓ 200 paystack charge\.made\.up → /);
  });

  it('with no provider to go on, asks for --provider (exit 2, nothing sent)', async () => {
    const { server } = await verifyingApp();
    const run = await runCli(['trigger', 'charge.made.up', '--body-file', 'body.json', '--to', server.url], { cwd: dir, env: { ...SECRETS } });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error: which provider sends "charge.made.up"? No provider has a fixture of that name\nhint: with --body-file any event name goes once the provider is known: add --provider <name> (`webhook providers` lists them)\n',
    );
    expect(server.received).toHaveLength(0);
  });

  it('without --body-file an unknown event is still refused with suggestions', async () => {
    const run = await runCli(['trigger', 'charge.sucess', '-p', 'paystack', '--to', 'http://127.0.0.1:9/'], { cwd: dir, env: { ...SECRETS } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: .*charge\.sucess/);
    expect(run.stderr).toContain('"charge.success"');
  });

  it('a fixture holding a number beyond 2^53 goes out exactly as its bytes; patched, it is refused rather than changed (exit 2, nothing sent)', async () => {
    const { server, verdicts } = await verifyingApp();
    const folder = path.join(dir, 'fixtures', 'paystack');
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'charge.big.json'), BYTES);
    const exact = await runCli(['trigger', 'charge.big', '-p', 'paystack', '--fixtures', 'fixtures', '--to', server.url], { cwd: dir, env: { ...SECRETS } });
    expect(exact.code).toBe(0);
    expect(server.received[0]!.body.toString('utf8')).toBe(BYTES);
    expect(verdicts).toEqual([{ provider: 'paystack', verified: true }]);

    const patched = await runCli(['trigger', 'charge.big', '-p', 'paystack', '--fixtures', 'fixtures', '--set', 'zeta=2', '--to', server.url], { cwd: dir, env: { ...SECRETS } });
    expect(patched.code).toBe(2);
    expect(patched.stderr).toMatch(/^error: .*charge\.big\.json: the number 98765432109876543210 cannot be kept exactly/);
    expect(patched.stderr).toMatch(/\nhint: quote it/);
    expect(server.received).toHaveLength(1);
  });
});
