import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { currentSection, providers, table } from '../scripts/provider-table.mjs';

describe('README provider table', () => {
  it('matches the provider profiles (run: node scripts/provider-table.mjs)', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    expect(currentSection(readme)).toBe(table());
  });

  it('has one row per built-in profile, each linking its docs page', async () => {
    const rows = providers() as { name: string }[];
    const section = table() as string;
    for (const { name } of rows) expect(section, name).toContain(`](docs/providers/${name}.md) (\`${name}\`)`);
    for (const { name } of rows) await expect(readFile(new URL(`../docs/providers/${name}.md`, import.meta.url), 'utf8'), name).resolves.toMatch(/^# /);
  });
});
