#!/usr/bin/env node
// CommonJS (bin/package.json says so): a run that needs no ES module starts without node's ES
// module loader.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);
const bundle = path.join(__dirname, '..', 'dist', 'bundle');

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
    text = readFileSync(path.join(bundle, 'help.txt'), 'utf8');
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
function program() {
  const name = args[0] ?? '';
  const file = /^[a-z]+$/.test(name) ? path.join(bundle, 'commands', `${name}.cjs`) : undefined;
  if (file && existsSync(file)) return Promise.resolve(require(file));
  return import('../dist/bundle/cli.js');
}

if (!prebuiltHelp()) {
  // Node 22.1+ keeps compiled code on disk between runs (faster start-up, see BENCHMARKS.md);
  // older versions have no such API. NODE_DISABLE_COMPILE_CACHE=1 turns it off. Below Node 22
  // node:module is not even loaded: it would cost every run and offer nothing.
  if (Number(process.versions.node.split('.')[0]) >= 22) require('node:module').enableCompileCache?.();
  program()
    .then(({ main }) => main(process.argv))
    .then((code) => {
      process.exitCode = code;
    });
}
