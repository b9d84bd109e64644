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
    // Run from the package root so `import ... from 'webhook'` resolves to this package's exports.
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', example!], { cwd: ROOT });
    expect(stdout).toContain('api example passed');
  });
});
