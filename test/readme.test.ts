import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { currentSection, reference } from '../scripts/command-reference.mjs';

describe('README', () => {
  it('its command reference matches the built CLI’s --help (run: node scripts/command-reference.mjs)', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    expect(currentSection(readme)).toBe(reference());
  });

  it('starts with the two set-up commands, the second being what CI runs', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const ci = await readFile(new URL('../.ci/run', import.meta.url), 'utf8');
    const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1]?.trim().split('\n') ?? [];
    expect(block).toHaveLength(2);
    expect(ci).toContain(block[1]!.trim());
  });
});
