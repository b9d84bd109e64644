import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The name the package is published under (the command it installs is `webhook`). */
export const PACKAGE_NAME = 'webhook-cli';

/**
 * The installed package's root folder (holding package.json and fixtures/), found by walking up
 * from this module, so it is right both for tsc's dist/ layout and for the start-up bundle.
 */
export const PACKAGE_ROOT = (() => {
  let dir = import.meta.dirname;
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('webhook: cannot find its own package.json');
    dir = parent;
  }
})();

export function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}
