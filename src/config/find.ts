import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const MODULE = 'webhook';
/** Where a config may live, in lookup order (cosmiconfig loads whichever is found). */
const SEARCH_PLACES = [
  'package.json',
  `${MODULE}.config.json`,
  `${MODULE}.config.yaml`,
  `${MODULE}.config.yml`,
  `${MODULE}.config.js`,
  `${MODULE}.config.mjs`,
  `${MODULE}.config.cjs`,
  `.${MODULE}rc`,
  `.${MODULE}rc.json`,
  `.${MODULE}rc.yaml`,
  `.${MODULE}rc.yml`,
  `.${MODULE}rc.js`,
  `.${MODULE}rc.mjs`,
  `.${MODULE}rc.cjs`,
];

function packageJsonHasKey(file: string): boolean {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return parsed !== null && typeof parsed === 'object' && MODULE in parsed;
  } catch {
    return false;
  }
}

/**
 * The config file that applies in `cwd`: searched from cwd up to the nearest folder with a
 * package.json (the project root), like cosmiconfig's "project" strategy. A cheap check that
 * keeps cosmiconfig and zod off the start-up path when there is no config at all.
 */
export function findConfigFile(cwd: string): string | undefined {
  let dir = path.resolve(cwd);
  for (;;) {
    for (const name of SEARCH_PLACES) {
      const file = path.join(dir, name);
      if (!existsSync(file)) continue;
      if (name === 'package.json' && !packageJsonHasKey(file)) continue;
      return file;
    }
    const parent = path.dirname(dir);
    if (existsSync(path.join(dir, 'package.json')) || parent === dir) return undefined;
    dir = parent;
  }
}
