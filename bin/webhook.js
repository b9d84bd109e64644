#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);

/**
 * `webhook`, `webhook --help` and `webhook -h` print the top-level help the build rendered from the
 * real program (dist/bundle/help.txt, wrapped at 80 columns; a test keeps it identical to the live
 * program's), without loading the CLI. It goes where the program would put it: stdout for --help,
 * stderr for no arguments. A terminal of another width gets the live program, wrapped to fit.
 */
function prebuiltHelp() {
  if (args.length > 1 || (args.length === 1 && args[0] !== '--help' && args[0] !== '-h')) return false;
  const stream = args.length === 0 ? process.stderr : process.stdout;
  if (stream.isTTY && stream.columns !== 80) return false;
  let text;
  try {
    text = readFileSync(new URL('../dist/bundle/help.txt', import.meta.url), 'utf8');
  } catch {
    return false;
  }
  // As the CLI does: a reader that went away (`webhook --help | head -1`) ends the run quietly.
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
  stream.write(text);
  return true;
}

/**
 * The program for this run: the invoked command's own file (dist/bundle/commands/<name>.cjs, the
 * program with that command alone) when the first argument names a command that has one; else
 * the whole CLI (global options first, help, unknown commands, commands that run from cli.js).
 */
async function program() {
  const name = args[0] ?? '';
  const file = /^[a-z]+$/.test(name) ? new URL(`../dist/bundle/commands/${name}.cjs`, import.meta.url) : undefined;
  if (file && existsSync(file)) return module.createRequire(import.meta.url)(fileURLToPath(file));
  return import('../dist/bundle/cli.js');
}

if (!prebuiltHelp()) {
  // Node 22.1+ keeps compiled code on disk between runs (start-up ~x faster, see BENCHMARKS.md);
  // older versions have no such API. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
  module.enableCompileCache?.();
  const { main } = await program();
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
