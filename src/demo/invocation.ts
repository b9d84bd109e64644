import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';

const sameFile = (a: string, b: string) => {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
};

/**
 * How the person who just ran `demo` can run the next command: `webhook` when that name on PATH
 * is this package's own bin, `npx <package>` when npx ran it, otherwise `node <path to bin/webhook.js>`
 * (relative to where they are, as in the README's `node bin/webhook.js demo`).
 */
export function commandPrefix(input: { env: NodeJS.ProcessEnv; cwd: string }): string {
  const bin = path.join(PACKAGE_ROOT, 'bin', 'webhook.js');
  const onPath = (input.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  if (onPath.some((dir) => sameFile(path.join(dir, 'webhook'), bin))) return 'webhook';
  if (input.env.npm_command === 'exec') {
    const { name } = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string };
    return `npx ${name}`;
  }
  const relative = path.relative(input.cwd, bin);
  const shown = relative.startsWith('..') || path.isAbsolute(relative) ? bin : relative;
  return `node ${shown.includes(' ') ? JSON.stringify(shown) : shown}`;
}
