import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';

describe('docs/api.md', () => {
  it('its example runs against the built package and passes', async () => {
    const doc = await readFile(new URL('../docs/api.md', import.meta.url), 'utf8');
    const example = /```js\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    // Run from the package root so `import ... from 'webhook-cli'` resolves to this package's exports.
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', example!], { cwd: ROOT });
    expect(stdout).toContain('api example passed');
  });
});

describe('docs/providers/generic.md', () => {
  it('its custom-provider config validates and signs', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { runCli } = await import('./support/cli.js');
    const doc = await readFile(new URL('../docs/providers/generic.md', import.meta.url), 'utf8');
    const config = /```json\n([\s\S]*?)```/.exec(doc)?.[1];
    const dir = await mkdtemp(path.join(tmpdir(), 'webhook-doc-'));
    try {
      await writeFile(path.join(dir, 'webhook.config.json'), config!);
      const result = await runCli(['sign', '-p', 'acme', '--body', '{}', '--json'], { cwd: dir, env: { ACME_WEBHOOK_SECRET: 's3cret' } });
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout).headers['x-acme-signature']).toMatch(/^v1=/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
