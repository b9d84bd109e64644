import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ed25519Keys, p256Keys } from '../src/signing/asymmetric.js';
import { keysDir, loadOrCreateKeyPair } from '../src/store/keys.js';
import { runCli } from './support/cli.js';

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'webhook-keys-'));
  dirs.push(dir);
  return dir;
}

describe('test key pairs in the store', () => {
  it('made once, private key mode 0600, the same key on every later call', async () => {
    const dir = path.join(await tempDir(), 'keys');
    const first = loadOrCreateKeyPair(dir, 'discord', ed25519Keys);
    expect(first.created).toBe(true);
    expect(first.publicKey).toMatch(/^[0-9a-f]{64}$/);
    if (process.platform !== 'win32') expect((await stat(first.file)).mode & 0o777).toBe(0o600);
    const second = loadOrCreateKeyPair(dir, 'discord', ed25519Keys);
    expect(second.created).toBe(false);
    expect(second.publicKey).toBe(first.publicKey);
    expect(await readFile(first.file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('a key of the wrong type in the file is a usage error naming the file', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'sendgrid.pem'), ed25519Keys.generate());
    expect(() => loadOrCreateKeyPair(dir, 'sendgrid', p256Keys)).toThrow(/sendgrid\.pem is not a ec-p256 private key/);
  });

  it('lives under $WEBHOOK_STORE/keys when set, relative to cwd', () => {
    expect(keysDir({ WEBHOOK_STORE: 'rel/store' }, '/base')).toBe(path.join(path.resolve('/base', 'rel/store'), 'keys'));
  });

  it('two processes racing for a new pair print the same public key (O_EXCL: the first file wins)', async () => {
    const env = { WEBHOOK_STORE: await tempDir() };
    const runs = await Promise.all([1, 2, 3].map(() => runCli(['keys', 'sendgrid', '--json'], { env })));
    const keys = runs.map((r) => (JSON.parse(r.stdout) as { publicKey: string }).publicKey);
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(new Set(keys).size).toBe(1);
    const pem = await readFile(path.join(env.WEBHOOK_STORE, 'keys', 'sendgrid.pem'), 'utf8');
    expect(p256Keys.publicKey(pem)).toBe(keys[0]);
  });

  it('`webhook keys` for a shared-secret provider exits 2 with a hint listing the key pair providers', async () => {
    const r = await runCli(['keys', 'paystack'], { env: { WEBHOOK_STORE: await tempDir() } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: paystack signs with a shared secret/);
    expect(r.stderr).toMatch(/hint: keys apply to discord, sendgrid/);
  });

  it('an env var private key wins over the stored pair; a public key there cannot sign (exit 2, hint)', async () => {
    const env = { WEBHOOK_STORE: await tempDir() };
    const own = ed25519Keys.generate();
    const r = await runCli(['sign', '-p', 'discord', '--body', '{}', '--timestamp', '1700000000', '--json'], { env: { ...env, DISCORD_SIGNING_KEY: own } });
    expect(r.code).toBe(0);
    const sig = (JSON.parse(r.stdout) as { headers: Record<string, string> }).headers['x-signature-ed25519']!;
    const { createPublicKey, verify } = await import('node:crypto');
    expect(verify(null, Buffer.from('1700000000{}'), createPublicKey(own), Buffer.from(sig, 'hex'))).toBe(true);
    const pub = await runCli(['sign', '-p', 'discord', '--body', '{}', '--secret', ed25519Keys.publicKey(own)], { env });
    expect(pub.code).toBe(2);
    expect(pub.stderr).toMatch(/error: the discord key given is a public key/);
    expect(pub.stderr).toMatch(/hint: .*webhook keys discord/);
  });
});
