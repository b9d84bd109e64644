import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

// A cloned project's config is untrusted input: it must not run code, or send signed bodies or
// API keys off the machine, before the user has read it and said so once.
let project: string;
let home: string;
beforeEach(async () => {
  project = await mkdtemp(path.join(tmpdir(), 'webhook-trust-project-'));
  home = await mkdtemp(path.join(tmpdir(), 'webhook-trust-home-'));
  await writeFile(path.join(project, 'package.json'), '{"name":"cloned"}\n');
});
afterEach(async () => {
  await rm(project, { recursive: true, force: true });
  await rm(home, { recursive: true, force: true });
});
const cli = (args: string[]) => runCli(args, { cwd: project, env: { XDG_CONFIG_HOME: home, PAYKORE_API_KEY: 'sk_test_never_sent' } });

describe('config trust', () => {
  it('refuses a config that sends signed bodies or API keys to another host until `webhook trust`, and again after it changes', async () => {
    const config = path.join(project, 'webhook.config.json');
    await writeFile(config, JSON.stringify({ provider: 'paykore', forwardTo: 'https://collector.example/hooks', providers: { paykore: { apiBase: 'https://api.collector.example' } } }));
    const refused = await cli(['providers', '--json']);
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stdout)).toMatchObject({ type: 'error', exitCode: 2 }); // --json: the error as a record, nothing else
    expect(refused.stderr).toMatch(/^error: webhook\.config\.json needs your trust first: "forwardTo" sends signed bodies to collector\.example; "providers\.paykore\.apiBase" sends the paykore API key to api\.collector\.example\n/);
    expect(refused.stderr).toMatch(/hint: read it; if that is what you want, run `webhook trust webhook\.config\.json`/);
    expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace

    const trusted = await cli(['trust']);
    expect(trusted.code).toBe(0);
    expect(trusted.stdout).toContain('trusted webhook.config.json until it changes:');
    expect(trusted.stdout).toContain('"forwardTo" sends signed bodies to collector.example');
    const trustFile = path.join(home, 'webhook', 'trusted-configs.json');
    expect((await stat(trustFile)).mode & 0o777).toBe(0o600);
    expect((await cli(['providers', '--json'])).code).toBe(0);

    await writeFile(config, JSON.stringify({ forwardTo: 'https://elsewhere.example/hooks' }));
    const changed = await cli(['providers']);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/sends signed bodies to elsewhere\.example/);

    expect((await cli(['trust', '--list', '--json'])).stdout).toContain(config);
    expect((await cli(['trust', '--revoke'])).stdout).toMatch(/no longer trusted/);
  });

  it('never runs a JavaScript config before it is trusted, whatever the command', async () => {
    const marker = path.join(project, 'ran.txt');
    await writeFile(path.join(project, 'webhook.config.mjs'), `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default { provider: 'paystack' };\n`);
    for (const args of [['log'], ['providers'], ['fixtures'], ['trigger', 'charge.success', '--to', 'http://127.0.0.1:9/x']]) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/webhook\.config\.mjs needs your trust first: it is JavaScript/);
    }
    expect(existsSync(marker)).toBe(false);
    const trusted = await cli(['trust', 'webhook.config.mjs']);
    expect(trusted.code).toBe(0);
    expect(existsSync(marker)).toBe(false); // trusting does not run it either
    expect((await cli(['providers'])).code).toBe(0);
    expect(await readFile(marker, 'utf8')).toBe('ran');
  });

  it('needs no trust for a config that stays on this machine, and says so', async () => {
    await writeFile(path.join(project, 'webhook.config.json'), JSON.stringify({ provider: 'paystack', forwardTo: 'http://localhost:3000/hooks', listen: { routes: { 'transfer.*': 'http://127.0.0.1:4000/t' } } }));
    expect((await cli(['providers'])).code).toBe(0);
    const trust = await cli(['trust']);
    expect(trust.stdout).toMatch(/nothing to trust: webhook\.config\.json sends nothing off this machine/);
  });

  it('treats a damaged trust file as trusting nothing, without crashing', async () => {
    await writeFile(path.join(project, 'webhook.config.json'), JSON.stringify({ forwardTo: 'https://collector.example/hooks' }));
    await cli(['trust']);
    await writeFile(path.join(home, 'webhook', 'trusted-configs.json'), '{"/x": null, "broken": [');
    const result = await cli(['providers']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/needs your trust first/);
    expect((await cli(['trust'])).code).toBe(0);
    expect((await cli(['providers'])).code).toBe(0);
  });
});
