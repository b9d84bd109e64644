/**
 * What a user gets from the registry, not the repo: the packed tarball installed into a fresh
 * project outside this repository, then the command and the library used from there.
 */
import { execFile, type ExecFileException } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';

/** Installing takes seconds (more on a loaded machine); everything here gets a generous budget. */
const INSTALL_MS = 240_000;
const RUN_MS = 120_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment a user's shell would have: none of the npm variables of the `npm test` running us. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_(package|lifecycle)_/i.test(key) || /^npm_config_(local_prefix|prefix|global|ignore_scripts)$/i.test(key) || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: '1', CI: 'true', ...extra };
}

function run(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = userEnv(), shell = false): Promise<Run> {
  return new Promise((resolve) => {
    // npm and npx are .cmd scripts on Windows, which only a shell runs.
    execFile(file, args, { cwd, env, shell: shell || (process.platform === 'win32' && /^np[mx]$/.test(file)), maxBuffer: 64 * 1024 * 1024, timeout: INSTALL_MS }, (error: ExecFileException | null, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const version = (JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string });
let work: string;
let project: string;
let packedFiles: string[];

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'webhook-pack-'));
  // `npm test` has just built dist/; --ignore-scripts keeps `prepare` from rebuilding it while
  // other test files run the CLI from it (a plain `npm pack` runs prepare = the same build).
  const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT);
  expect(packed.code, packed.stderr).toBe(0);
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  packedFiles = info!.files.map((f) => f.path);
  project = path.join(work, 'project');
  await import('node:fs/promises').then((fs) => fs.mkdir(project));
  await writeFile(path.join(project, 'package.json'), `${JSON.stringify({ name: 'a-users-project', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
  const installed = await run('npm', ['install', '--save-dev', path.join(work, info!.filename), '--prefer-offline', '--no-audit', '--no-fund'], project);
  expect(installed.code, `${installed.stdout}\n${installed.stderr}`).toBe(0);
}, INSTALL_MS);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packed package, installed in a fresh project', () => {
  it('ships the command, the built code and the fixtures, and nothing of the repo besides', () => {
    expect(packedFiles).toEqual(expect.arrayContaining(['package.json', 'bin/webhook.js', 'dist/bundle/cli.js', 'dist/index.js', 'dist/index.d.ts', 'fixtures/paystack/charge.success.json', 'README.md', 'docs/ci.md']));
    expect(packedFiles.filter((f) => /^(src|test|bench|scripts|\.ci)\//.test(f))).toEqual([]);
    expect(existsSync(path.join(project, 'node_modules', version.name, 'dist', 'bundle', 'cli.js'))).toBe(true);
    expect(path.relative(ROOT, project).startsWith('..')).toBe(true); // outside the repo
  });

  it('`npx webhook --version` runs the installed command', async () => {
    const result = await run('npx', ['webhook', '--version'], project);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(version.version);
  }, RUN_MS);

  it('`npx webhook demo` runs offline, plain output, exit 0', async () => {
    const result = await run('npx', ['webhook', 'demo'], project);
    // The demo keeps its log in a new temporary folder and names it: remove it.
    const kept = /webhook log --store (\S+)/.exec(result.stdout)?.[1];
    if (kept?.startsWith(tmpdir())) await rm(kept, { recursive: true, force: true });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/\u001b\[/); // no colour or cursor codes off a terminal
    expect(result.stdout).toMatch(/^demo ok: \d+ deliveries, \d+ verified/m);
  }, RUN_MS);

  it("docs/ci.md's recipe, as written: replay sends every built-in Paystack event to a local app, check passes it", async () => {
    const doc = await readFile(path.join(ROOT, 'docs', 'ci.md'), 'utf8');
    const actions = /## GitHub Actions\n+```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    const command = /run: (npx webhook replay .*)$/m.exec(actions)![1]!;
    const check = /run: (npx webhook check .*)$/m.exec(actions)![1]!;
    const secret = /PAYSTACK_SECRET_KEY: (\S+)/.exec(actions)![1]!;
    // The app: a Paystack handler that checks HMAC-SHA512 of the raw bytes with the CI secret.
    const received: string[] = [];
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const expected = createHmac('sha512', secret).update(body).digest('hex');
        const given = String(req.headers['x-paystack-signature'] ?? '');
        const ok = req.url === '/webhooks/paystack' && given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
        if (ok) received.push((JSON.parse(body.toString('utf8')) as { event: string }).event);
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? '{"received":true}' : '{"error":"bad signature"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const app = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const asWritten = command.replaceAll('http://localhost:3000', app);
      expect(asWritten).not.toBe(command);
      const result = await run('sh', ['-c', asWritten], project, userEnv({ PAYSTACK_SECRET_KEY: secret }));
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
      const builtin = (await readdir(path.join(ROOT, 'fixtures', 'paystack'))).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
      expect(result.stdout).toMatch(new RegExp(`^sent ${builtin.length}, passed ${builtin.length}, failed 0,`, 'm'));
      expect(received.sort()).toEqual(builtin);
      const junit = /--junit (\S+)/.exec(command)![1]!;
      expect(await readFile(path.join(project, junit), 'utf8')).toMatch(new RegExp(`tests="${builtin.length}" failures="0"`));

      // The recipe's next step: `webhook check` against the same (correctly written) handler.
      const checked = await run('sh', ['-c', check.replaceAll('http://localhost:3000', app)], project, userEnv({ PAYSTACK_SECRET_KEY: secret }));
      expect(checked.code, `${checked.stdout}\n${checked.stderr}`).toBe(0);
      expect(checked.stdout).toMatch(/^all \d+ cases pass/m);
      expect(existsSync(path.join(project, /--junit (\S+)/.exec(check)![1]!))).toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, RUN_MS);

  it("a script imports { sign, verify } from 'webhook-cli' and the signature checks out", async () => {
    const script = [
      "import { createHmac } from 'node:crypto';",
      "import { sign, verify } from 'webhook-cli';",
      "const secret = 'sk_test_packaging';",
      "const body = '{\"event\":\"charge.success\",\"data\":{\"reference\":\"pkg-1\"}}';",
      "const { headers } = sign({ provider: 'paystack', secret, body });",
      "const expected = createHmac('sha512', secret).update(body).digest('hex');",
      "if (headers['x-paystack-signature'] !== expected) throw new Error('signature differs: ' + headers['x-paystack-signature']);",
      "if (!verify({ provider: 'paystack', secret, body, headers }).ok) throw new Error('verify refused its own signature');",
      "if (verify({ provider: 'paystack', secret: 'sk_test_other', body, headers }).ok) throw new Error('verify accepted a wrong secret');",
      "console.log('signature ok');",
    ].join('\n');
    await writeFile(path.join(project, 'check-sign.mjs'), script);
    const result = await run(process.execPath, ['check-sign.mjs'], project);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('signature ok');
  }, RUN_MS);
});
