import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './support/cli.js';
import { startStubApp, type StubApp } from './support/stub-app.js';
import { SECRETS, verifyDelivery } from './support/verifier.js';

const BUILTIN = path.join(ROOT, 'fixtures');
let dir: string;
let servers: StubApp[] = [];

/** A real app that verifies each delivery with the official libraries: 200 when valid, 401 when not. */
async function verifyingApp() {
  const verdicts: { provider: string | undefined; verified: boolean; event: string | undefined }[] = [];
  const server = await startStubApp(async (r) => {
    const verdict = await verifyDelivery(r);
    let event: string | undefined;
    try {
      const body = JSON.parse(r.body.toString('utf8')) as { event?: string; type?: string };
      event = body.event ?? body.type ?? (r.headers['x-github-event'] as string | undefined);
    } catch {
      event = undefined;
    }
    verdicts.push({ ...verdict, event });
    return { status: verdict.verified ? 200 : 401 };
  });
  servers.push(server);
  return { server, verdicts };
}

const builtinEvents = async (provider: string) => (await readdir(path.join(BUILTIN, provider))).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5)).sort();
const resultLines = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; event?: string; passed?: boolean; file?: string });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-replay-provider-'));
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('webhook replay --provider (built-in events, from a folder with no fixtures)', () => {
  it('sends every built-in event of each provider that has some, each verified by the official library', async () => {
    const providers = [];
    for (const name of await readdir(BUILTIN)) if ((await builtinEvents(name)).length > 0) providers.push(name);
    expect(providers).toEqual(expect.arrayContaining(['paykore', 'paystack', 'koard']));
    for (const provider of providers) {
      const { server, verdicts } = await verifyingApp();
      const run = await runCli(['replay', '--provider', provider, '--to', `${server.url}/hooks`, '--json'], { cwd: dir, env: { ...SECRETS } });
      expect(run.stderr, provider).toBe('');
      expect(run.code, provider).toBe(0);
      const lines = resultLines(run.stdout);
      const results = lines.filter((l) => l.type === 'result');
      const expected = await builtinEvents(provider);
      expect(results.map((r) => r.event).sort(), provider).toEqual(expected);
      expect(results.every((r) => r.passed), provider).toBe(true);
      expect(verdicts).toHaveLength(expected.length);
      expect(verdicts.every((v) => v.provider === provider && v.verified), provider).toBe(true);
    }
  });

  it('combines with paths: your fixtures and, with --builtin, every built-in event of --provider', async () => {
    const mine = path.join(dir, 'mine', 'paystack');
    await mkdir(mine, { recursive: true });
    await writeFile(path.join(mine, 'charge.edge-case.json'), '{"event":"charge.success","data":{"reference":"edge-1","amount":1}}');
    const { server, verdicts } = await verifyingApp();
    const run = await runCli(['replay', 'mine', '--provider', 'paystack', '--builtin', '--to', server.url, '--json'], { cwd: dir, env: { ...SECRETS } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const results = resultLines(run.stdout).filter((l) => l.type === 'result');
    expect(results).toHaveLength(1 + (await builtinEvents('paystack')).length);
    expect(results[0]!.file).toBe(path.join('mine', 'paystack', 'charge.edge-case.json'));
    expect(verdicts.every((v) => v.provider === 'paystack' && v.verified)).toBe(true);

    // Without --builtin, --provider keeps its meaning for paths: only your fixtures go.
    const only = await runCli(['replay', 'mine', '--provider', 'paystack', '--to', server.url, '--json'], { cwd: dir, env: { ...SECRETS } });
    expect(only.code).toBe(0);
    expect(resultLines(only.stdout).filter((l) => l.type === 'result')).toHaveLength(1);
  });

  it('with neither paths nor a provider, says what to pass (exit 2, nothing sent)', async () => {
    const { server } = await verifyingApp();
    const run = await runCli(['replay', '--to', server.url], { cwd: dir, env: { ...SECRETS } });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error: nothing to replay: no fixture paths and no provider\nhint: pass fixture files or folders, or --provider <name> to send its built-in events (`webhook providers` lists them)\n',
    );
    expect(server.received).toHaveLength(0);
  });
});
