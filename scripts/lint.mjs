#!/usr/bin/env node
// `npm run lint`: every check runs, even after one fails, so one run shows everything to fix:
//   biome   the linter (biome.jsonc: recommended rules, no function in src/ over 80 lines)
//   knip    unused files, exports and dependencies (knip.jsonc)
//   layers  import loops between files and between folders of src/ (scripts/check-layers.mjs)
// Exits 1 when any of them failed. Each is also an npm script of its own (lint:biome, ...).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
const checks = [
  ['biome', bin('biome'), ['lint', '--error-on-warnings']],
  ['knip', bin('knip'), []],
  ['layers', process.execPath, [join(root, 'scripts', 'check-layers.mjs')]],
];

const failed = [];
const started = performance.now();
for (const [name, command, args] of checks) {
  const run = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (run.status !== 0) failed.push(name);
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (failed.length > 0) {
  console.error(`lint: ${failed.join(', ')} failed (${seconds} s)`);
  process.exit(1);
}
console.log(`lint: biome, knip and layers passed (${seconds} s)`);
