import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

const SVIX_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sign and verify', () => {
  it('sign --json prints headers that svix accepts for the same bytes', async () => {
    const body = '{"type":"transaction.created",  "data":{"id":"txn_1"}}';
    const file = path.join(dir, 'body.json');
    await writeFile(file, body);
    const result = await runCli(['sign', '--provider', 'koard', '--secret', SVIX_SECRET, '--body-file', file, '--json']);
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as { provider: string; headers: Record<string, string> };
    expect(out.provider).toBe('koard');
    expect(() => new SvixWebhook(SVIX_SECRET).verify(body, out.headers)).not.toThrow();
  });

  it('sign reads the secret from the provider env var and never prints it', async () => {
    const result = await runCli(['sign', '--provider', 'paystack', '--body', '{}'], { env: { PAYSTACK_SECRET_KEY: 'sk_test_envsecret' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^x-paystack-signature: [0-9a-f]{128}$/m);
    expect(result.stdout + result.stderr).not.toContain('sk_test_envsecret');
  });

  it('verify round-trips sign output and exits 0; a wrong secret exits 1 with the reason', async () => {
    const signed = await runCli(['sign', '-p', 'stripe', '-s', 'whsec_a', '--body', '{"id":"evt_1"}', '--timestamp', '1700000000', '--json']);
    const headers = (JSON.parse(signed.stdout) as { headers: Record<string, string> }).headers;
    const args = ['verify', '-p', 'stripe', '--body', '{"id":"evt_1"}', '-H', `Stripe-Signature: ${headers['stripe-signature']}`, '--now', '1700000010'];
    const ok = await runCli([...args, '-s', 'whsec_a']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('valid');
    const bad = await runCli([...args, '-s', 'whsec_b', '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ valid: false, reason: 'no matching signature' });
    const old = await runCli([...args, '-s', 'whsec_a', '--now', '1700000400']);
    expect(old.code).toBe(1);
    expect(old.stdout).toContain('timestamp too old');
  });

  it('verify reports a missing header', async () => {
    const result = await runCli(['verify', '-p', 'paykore', '-s', 'whsec_x', '--body', '{}', '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: false, reason: 'missing header' });
  });
});

describe('providers', () => {
  it('lists every built-in profile as NDJSON', async () => {
    const result = await runCli(['providers', '--json']);
    expect(result.code).toBe(0);
    const rows = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string; headers: string[]; registrationApi: boolean });
    expect(rows.map((r) => r.name)).toEqual(['paykore', 'paystack', 'koard', 'standard', 'stripe', 'github', 'generic', 'discord', 'sendgrid', 'twilio', 'korapay', 'squad', 'flutterwave', 'mailgun']);
    expect(rows.find((r) => r.name === 'koard')!.headers).toEqual(['svix-id', 'svix-timestamp', 'svix-signature']);
    expect(rows.find((r) => r.name === 'paykore')!.registrationApi).toBe(true);
  });
});

describe('bad input: one clear line, exit 2, no stack trace', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['unknown provider', ['sign', '-p', 'paystak', '-s', 'x', '--body', '{}'], /unknown provider "paystak"[\s\S]*did you mean "paystack"/],
    ['malformed whsec secret', ['sign', '-p', 'koard', '-s', 'whsec_%%%', '--body', '{}'], /secret from --secret cannot be used/],
    ['empty secret', ['sign', '-p', 'paystack', '-s', '', '--body', '{}'], /secret is empty/],
    ['missing secret', ['sign', '-p', 'paystack', '--body', '{}'], /no secret for paystack[\s\S]*PAYSTACK_SECRET_KEY/],
    ['missing body file', ['sign', '-p', 'paystack', '-s', 'x', '--body-file', '/nonexistent/b.json'], /body file \/nonexistent\/b.json does not exist/],
    ['no body', ['sign', '-p', 'paystack', '-s', 'x'], /no body given/],
    ['malformed --header', ['verify', '-p', 'paystack', '-s', 'x', '--body', '{}', '-H', 'no colon here'], /malformed --header/],
    ['bad --timestamp', ['sign', '-p', 'stripe', '-s', 'x', '--body', '{}', '--timestamp', 'soon'], /--timestamp must be a whole number/],
    ['unknown option', ['sign', '--bogus'], /unknown option '--bogus'/],
    ['unknown command', ['sing'], /unknown command 'sing'[\s\S]*sign/],
    ['no provider', ['sign', '-s', 'x', '--body', '{}'], /no provider given/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const result = await runCli(args, { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stdout).toBe('');
    });
  }

  it('--debug adds the stack trace', async () => {
    const result = await runCli(['sign', '-p', 'paystak', '-s', 'x', '--body', '{}', '--debug']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\n\s+at /);
  });

  it('--json errors also give one JSON line on stdout', async () => {
    const result = await runCli(['sign', '-p', 'paystak', '-s', 'x', '--body', '{}', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ type: 'error', exitCode: 2 });
  });
});

describe('config', () => {
  async function project(name: string, file: string, content: string): Promise<string> {
    const root = path.join(dir, name);
    await import('node:fs/promises').then((fs) => fs.mkdir(root, { recursive: true }));
    await writeFile(path.join(root, 'package.json'), '{"name":"app"}');
    await writeFile(path.join(root, file), content);
    return root;
  }

  it('takes the default provider and a secret env var name from config', async () => {
    const cwd = await project('ok', 'webhook.config.json', JSON.stringify({ provider: 'paystack', providers: { paystack: { secretEnv: 'MY_KEY' } } }));
    const result = await runCli(['sign', '--body', '{}'], { cwd, env: { MY_KEY: 'sk_test_fromconfig' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('x-paystack-signature');
  });

  it('describes a custom provider that signs base64 HMAC-SHA1 with a prefix', async () => {
    const cwd = await project('custom', '.webhookrc.yaml', [
      'providers:',
      '  acme:',
      '    scheme: { type: hmac, header: X-Acme-Sig, algorithm: sha1, encoding: base64, prefix: "v0=" }',
      '    events: [order.paid]',
    ].join('\n'));
    const result = await runCli(['sign', '-p', 'acme', '-s', 'k', '--body', 'abc', '--json'], { cwd });
    expect(result.code).toBe(0);
    const { createHmac } = await import('node:crypto');
    const expected = `v0=${createHmac('sha1', 'k').update('abc').digest('base64')}`;
    expect(JSON.parse(result.stdout).headers['x-acme-sig']).toBe(expected);
  });

  const invalid: Array<[string, string, string, RegExp]> = [
    ['unknown key', 'webhook.config.json', '{"provder":"paystack"}', /webhook.config.json: unknown key "provder"/],
    ['wrong type', 'webhook.config.json', '{"forwardTo": 3000}', /forwardTo: expected .*got 3000/],
    ['bad enum deep', 'webhook.config.json', '{"providers":{"acme":{"scheme":{"header":"x","algorithm":"md5","encoding":"hex"}}}}', /providers\.acme\.scheme\.algorithm: expected .*sha1.*got "md5"/],
    ['a literal secret', 'webhook.config.json', '{"providers":{"paystack":{"secret":"sk_live_oops"}}}', /providers\.paystack: unknown key "secret"/],
    ['syntax error', '.webhookrc.json', '{"provider": ', /cannot read the config/],
  ];
  for (const [name, file, content, message] of invalid) {
    it(`rejects ${name} with the file and key path`, async () => {
      const cwd = await project(`bad-${name.replace(/\s/g, '-')}`, file, content);
      const result = await runCli(['sign', '-p', 'paystack', '-s', 'x', '--body', '{}'], { cwd });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toContain('sk_live_oops');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    });
  }
});

describe('help and version', () => {
  it('every command has --help with examples', async () => {
    for (const command of ['sign', 'verify', 'providers']) {
      const result = await runCli([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Examples:');
    }
  });

  it('--version prints the package version', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('no colour escapes when NO_COLOR is set, even with FORCE_COLOR', async () => {
    const result = await runCli(['verify', '-p', 'paykore', '-s', 'x', '--body', '{}'], { env: { FORCE_COLOR: '1' } });
    expect(result.stdout).not.toMatch(/\u001b\[/);
  });
});
