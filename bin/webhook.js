#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+ keeps compiled code on disk between runs (start-up ~x faster, see BENCHMARKS.md);
// older versions have no such API. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.();
const { main } = await import('../dist/bundle/cli.js');

main(process.argv).then((code) => {
  process.exitCode = code;
});
