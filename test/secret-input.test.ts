import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { Webhook as SvixWebhook } from 'svix';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { startListenCli, type ListenProcess } from './support/listen.js';
import { startStubApp, type StubApp } from './support/stub-app.js';

// Issue 17 item 11: a secret given as `--secret <value>` is visible to every local user in `ps`;
// `--secret-file <path>` and `--secret -` (one line from stdin) keep it out of the process's argv.
// Koard signs the Svix way, so every signature here is checked with Svix's own library.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const BODY = '{"type":"transfer.success","data":{"id":"tr_1"}}';

let dir: string;
let keyFile: string;
let app: StubApp | undefined;
let listen: ListenProcess | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-secret-input-'));
  keyFile = path.join(dir, 'koard.key');
  await writeFile(keyFile, `${SECRET}\n`, { mode: 0o600 });
});
afterEach(async () => {
  if (listen && listen.child.exitCode === null && listen.child.signalCode === null) await listen.stop();
  await app?.close();
  app = listen = undefined;
  await rm(dir, { recursive: true, force: true });
});

const svixValid = (body: string, headers: Record<string, unknown>) => {
  new SvixWebhook(SECRET).verify(body, headers as Record<string, string>);
  return true;
};
const sign = (args: string[], input?: string) => runCli(['sign', '-p', 'koard', '--body', BODY, '--json', ...args], { cwd: dir, ...(input !== undefined ? { input } : {}) });

describe('--secret-file and --secret -', () => {
  it('sign reads the secret from a file, and the signature verifies with it', async () => {
    const result = await sign(['--secret-file', keyFile]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(svixValid(BODY, JSON.parse(result.stdout).headers)).toBe(true);
  });

  it('sign reads one line from stdin with --secret -, trimmed; the rest of stdin is not part of it', async () => {
    const result = await sign(['--secret', '-'], `  ${SECRET}  \nwhsec_not_this_one\n`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(svixValid(BODY, JSON.parse(result.stdout).headers)).toBe(true);
    // Without a final newline too.
    const bare = await sign(['--secret', '-'], SECRET);
    expect(svixValid(BODY, JSON.parse(bare.stdout).headers)).toBe(true);
  });

  it('trigger signs with a secret from stdin and from a file; the app gets valid Svix signatures', async () => {
    app = await startStubApp();
    const fx = path.join(dir, 'fx', 'koard');
    await import('node:fs/promises').then((fs) => fs.mkdir(fx, { recursive: true }));
    await writeFile(path.join(fx, 'transfer.success.json'), BODY);
    const trigger = (args: string[], input?: string) =>
      runCli(['trigger', 'transfer.success', '-p', 'koard', '--to', app!.url, '--fixtures', path.join(dir, 'fx'), '--json', ...args], { cwd: dir, env: { WEBHOOK_STORE: path.join(dir, 'store') }, ...(input !== undefined ? { input } : {}) });
    for (const result of [await trigger(['--secret', '-'], `${SECRET}\n`), await trigger(['--secret-file', keyFile])]) {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    expect(app.received).toHaveLength(2);
    for (const r of app.received) expect(svixValid(r.body.toString('utf8'), r.headers)).toBe(true);
  });

  it('a secret file that group or others can read gets one warning line; 0600 gets none', async () => {
    await chmod(keyFile, 0o640);
    const result = await sign(['--secret-file', keyFile]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`warning: the secret file ${keyFile} is readable by other users (mode 0640): chmod 600 ${keyFile}\n`);
    expect(svixValid(BODY, JSON.parse(result.stdout).headers)).toBe(true);
  });

  it('mistakes are one usage error each, with a hint, exit 2', async () => {
    await writeFile(path.join(dir, 'empty.key'), '\n', { mode: 0o600 });
    const cases: [string[], string | undefined, RegExp][] = [
      [['--secret', SECRET, '--secret-file', keyFile], undefined, /^error: give either --secret or --secret-file, not both\nhint: /],
      [['--secret-file', path.join(dir, 'missing.key')], undefined, /^error: secret file .*missing\.key does not exist\nhint: /],
      [['--secret-file', path.join(dir, 'empty.key')], undefined, /^error: the secret from --secret-file .*empty\.key is empty\nhint: /],
      [['--secret', '-'], '\n', /^error: the secret from --secret - \(stdin\) is empty\nhint: /],
    ];
    for (const [args, input, message] of cases) {
      const result = await sign(args, input);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    const both = await runCli(['sign', '-p', 'koard', '--secret', '-', '--body-file', '-'], { cwd: dir, input: `${SECRET}\n${BODY}` });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^error: the secret and the body cannot both come from stdin\nhint: /);
  });

  it('listen --secret-file verifies with the file\'s secret, and the secret is not in the process\'s argv', async () => {
    app = await startStubApp();
    listen = await startListenCli(['-p', 'koard', '--secret-file', keyFile, '-f', app.url, '--store', path.join(dir, 'store'), '--tunnel', 'none', '--self-check-interval', '0']);
    const argv = (await readFile(`/proc/${listen.child.pid}/cmdline`, 'utf8')).split('\0');
    expect(argv).toContain('--secret-file');
    expect(argv).toContain(keyFile);
    expect(argv.join(' ')).not.toContain(SECRET);
    expect(argv.join(' ')).not.toContain(SECRET.slice('whsec_'.length));

    const headers = (secret: string) => {
      const id = 'msg_secret_file';
      const at = new Date();
      return { 'content-type': 'application/json', 'svix-id': id, 'svix-timestamp': String(Math.floor(at.getTime() / 1000)), 'svix-signature': new SvixWebhook(secret).sign(id, at, BODY) };
    };
    const good = await request(listen.ready.localUrl, { method: 'POST', body: BODY, headers: headers(SECRET) });
    await good.body.text();
    expect(await listen.next((e) => e.type === 'delivery')).toMatchObject({ signature: 'verified', status: 200 });
    const forged = await request(listen.ready.localUrl, { method: 'POST', body: BODY, headers: headers(`whsec_${Buffer.from('another secret, 24 bytes').toString('base64')}`) });
    await forged.body.text();
    expect(await listen.next((e) => e.type === 'delivery')).toMatchObject({ signature: 'failed' });
  });
});
