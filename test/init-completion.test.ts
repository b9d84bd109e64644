import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-init-'));
  await writeFile(path.join(dir, 'package.json'), '{"name":"app"}\n');
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('webhook init', () => {
  it('writes a config that loads and is used by later commands', async () => {
    const init = await runCli(['init', '--provider', 'koard', '--forward-to', 'http://localhost:8080/hooks'], { cwd: dir });
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('wrote webhook.config.yaml');
    const text = await readFile(path.join(dir, 'webhook.config.yaml'), 'utf8');
    expect(text).toContain('# Webhook signing secret');
    // The default provider now comes from the written config; the secret from its env var.
    const sign = await runCli(['sign', '--body', '{}', '--json'], { cwd: dir, env: { KOARD_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } });
    expect(sign.stderr).toBe('');
    expect(JSON.parse(sign.stdout).provider).toBe('koard');
    const fixture = JSON.parse(await readFile(path.join(dir, 'webhook-fixtures/koard/example.created.json'), 'utf8'));
    expect(fixture.$fixture.expect).toBe('2xx');
  });

  it('refuses to overwrite without --force', async () => {
    expect((await runCli(['init'], { cwd: dir })).code).toBe(0);
    const again = await runCli(['init'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists[\s\S]*--force/);
    expect(again.stderr).not.toMatch(/\n\s+at /);
    expect((await runCli(['init', '--force', '--provider', 'paykore'], { cwd: dir })).code).toBe(0);
    expect(await readFile(path.join(dir, 'webhook.config.yaml'), 'utf8')).toContain('apiKeyEnv: PAYKORE_API_KEY');
  });

  it('rejects an unknown provider with the valid names', async () => {
    const result = await runCli(['init', '--provider', 'paystak'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('paystack');
  });
});

describe('webhook completion', () => {
  it('bash completes commands and each command’s flags from the real program', async () => {
    const script = await runCli(['completion', 'bash']);
    expect(script.code).toBe(0);
    const file = path.join(dir, 'webhook.bash');
    await writeFile(file, script.stdout);
    const probe = `source ${file}
COMP_WORDS=(webhook ver); COMP_CWORD=1; _webhook_complete; echo "\${COMPREPLY[*]}"
COMP_WORDS=(webhook sign --bod); COMP_CWORD=2; _webhook_complete; echo "\${COMPREPLY[*]}"`;
    const { stdout } = await promisify(execFile)('bash', ['-c', probe]);
    expect(stdout.split('\n')).toEqual(['verify', '--body --body-file', '']);
  });

  it('zsh and fish scripts name every command', async () => {
    const help = await runCli(['--help']);
    const commands = [...help.stdout.split('Commands:')[1]!.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]).filter((c) => c !== 'help');
    for (const shell of ['zsh', 'fish']) {
      const script = (await runCli(['completion', shell])).stdout;
      expect(commands.length).toBeGreaterThan(4);
      for (const command of commands) expect(script).toContain(command);
    }
  });

  it('rejects an unknown shell', async () => {
    const result = await runCli(['completion', 'tcsh']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bash, zsh, fish');
  });
});
