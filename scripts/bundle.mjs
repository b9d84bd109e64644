// Bundles the CLI into a few ESM files (one per lazily loaded command) so start-up reads a
// handful of files instead of dozens. tsc still emits dist/ (types and the library API).
import { rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

// Start clean: chunk names are content hashes, so old ones would pile up.
rmSync('dist/bundle', { recursive: true, force: true });

/**
 * commander requires node:child_process at its top, to spawn stand-alone executable subcommands
 * (`.command(name, description)` with no action), which this CLI never declares; loading it costs
 * every run. The bundle gets commander with that require deferred to the one place that spawns.
 */
const lazyChildProcess = {
  name: 'commander-lazy-child-process',
  setup(build) {
    build.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const eager = "const childProcess = require('node:child_process');";
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(eager)) throw new Error(`bundle: ${args.path} no longer requires child_process as expected; update scripts/bundle.mjs`);
      return { contents: source.replace(eager, "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };"), loader: 'js' };
    });
  },
};

await build({
  entryPoints: ['src/cli.ts'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.18',
  // Native, heavy or lazily needed packages stay as they are in node_modules.
  external: ['ink', 'react', 'react/*', '@ngrok/ngrok', 'ssh2', 'cosmiconfig', 'zod', 'junit-report-builder'],
  banner: { js: "import { createRequire as __webhookRequire } from 'node:module'; const require = __webhookRequire(import.meta.url);" },
  plugins: [lazyChildProcess],
  logLevel: 'warning',
});

// The top-level help, rendered once by the real program as it renders it for a stream that is no
// terminal (80 columns): bin/webhook.js prints it for `webhook`, `--help` and `-h` without loading
// the CLI. test/help-prebuilt.test.ts keeps it identical to the live output.
const { main } = await import(new URL('../dist/bundle/cli.js', import.meta.url).href);
let help = '';
const capture = { write: (text) => ((help += text), true), isTTY: false };
const code = await main(['node', 'webhook', '--help'], { env: {}, streams: { stdout: capture, stderr: process.stderr, stdin: process.stdin } });
if (code !== 0 || help === '') throw new Error(`bundle: rendering the help failed (exit ${code})`);
writeFileSync('dist/bundle/help.txt', help);
