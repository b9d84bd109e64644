import { realpathSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_NAME, PACKAGE_ROOT } from '../package-root.js';

const sameFile = (a: string, b: string) => {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
};

/**
 * How the person who just ran `demo` can run the next command: `npx <package>` when npx ran it
 * (npx puts the project's bin folder on PATH for that run only), `webhook` when that name on their
 * PATH is this package's own bin, otherwise `node <path to bin/webhook.js>` (relative to where
 * they are, as in the README's `node bin/webhook.js demo`).
 */
export function commandPrefix(input: { env: NodeJS.ProcessEnv; cwd: string }): string {
  if (input.env.npm_command === 'exec') return `npx ${PACKAGE_NAME}`;
  const bin = path.join(PACKAGE_ROOT, 'bin', 'webhook.js');
  const onPath = (input.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  if (onPath.some((dir) => sameFile(path.join(dir, 'webhook'), bin))) return 'webhook';
  const relative = path.relative(input.cwd, bin);
  const shown = relative.startsWith('..') || path.isAbsolute(relative) ? bin : relative;
  return `node ${shown.includes(' ') ? JSON.stringify(shown) : shown}`;
}
