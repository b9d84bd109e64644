import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The name the package is published under (the command it installs is `webhook`). */
export const PACKAGE_NAME = 'webhook-cli';

/**
 * The installed package's root folder (holding package.json and fixtures/) and its manifest,
 * found by walking up from this module, so it is right both for tsc's dist/ layout and for the
 * start-up bundle. The manifest read on the way is kept: the version comes from it.
 */
const PACKAGE = (() => {
  let dir = import.meta.dirname;
  for (;;) {
    const file = path.join(dir, 'package.json');
    const manifest = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string }) : undefined;
    if (manifest?.name === PACKAGE_NAME) return { dir, version: String(manifest.version) };
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('webhook: cannot find its own package.json');
    dir = parent;
  }
})();

export const PACKAGE_ROOT = PACKAGE.dir;

export function packageVersion(): string {
  return PACKAGE.version;
}
