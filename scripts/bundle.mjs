// Bundles the CLI for start-up. tsc still emits dist/ (types and the library API).
// - dist/bundle/cli.js: the whole CLI, ESM, split into chunks loaded as commands need them;
// - dist/bundle/commands/<name>.cjs: one file per command holding the program with that command
//   alone and everything its run may need (lazily evaluated), so `webhook <name> …` compiles one
//   file; bin/webhook.js takes it when the first argument names it. CommonJS, so the packages it
//   leaves in node_modules load (require) only when code that uses them runs;
// - dist/bundle/help.txt: the top-level help.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
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

// Native or lazily needed packages stay as they are in node_modules, for every build.
const EXTERNAL = ['@ngrok/ngrok', 'ssh2', 'cosmiconfig', 'junit-report-builder'];
// The split ESM build bundles Ink, React and zod: one file each instead of hundreds of modules
// costs the interactive view ~25 MB less memory (BENCHMARKS.md). The per-command CommonJS files
// leave them in node_modules: Ink cannot be bundled into CommonJS (top-level await), and zod is
// loaded by require() only when a command checks something with it.
const EXTERNAL_FOR_COMMANDS = [...EXTERNAL, 'ink', 'react', 'react/*', 'zod'];
// Of those, the ones require() cannot load on Node 20: a command whose code imports one has no
// CommonJS file (it runs from cli.js).
const ESM_ONLY = ['ink'];

await build({
  entryPoints: ['src/cli.ts'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.18',
  external: EXTERNAL,
  // React's production build (the development build keeps far more per render).
  define: { 'process.env.NODE_ENV': '"production"' },
  alias: { 'react-devtools-core': './scripts/stubs/react-devtools-core.mjs' },
  banner: { js: "import { createRequire as __webhookRequire } from 'node:module'; const require = __webhookRequire(import.meta.url);" },
  plugins: [lazyChildProcess],
  logLevel: 'warning',
});

// The top-level help, rendered once by the real program as it renders it for a stream that is no
// terminal (80 columns): bin/webhook.js prints it for `webhook`, `--help` and `-h` without loading
// the CLI. test/start-up.test.ts keeps it identical to the live output.
const { main } = await import(new URL('../dist/bundle/cli.js', import.meta.url).href);
let help = '';
const capture = {
  write: (text) => {
    help += text;
    return true;
  },
  isTTY: false,
};
const code = await main(['node', 'webhook', '--help'], { env: {}, streams: { stdout: capture, stderr: process.stderr, stdin: process.stdin } });
if (code !== 0 || help === '') throw new Error(`bundle: rendering the help failed (exit ${code})`);
writeFileSync('dist/bundle/help.txt', help);

/** One command's CommonJS file, or the reason it has none. */
async function buildCommand(name, file, define) {
  const result = await build({
    stdin: {
      contents: `import { runProgram } from './program.js';\nimport { ${define} } from '${file}';\nexport const main = (argv, overrides) => runProgram(argv, { ${name}: async () => ${define} }, overrides);\n`,
      resolveDir: 'src',
      sourcefile: `${name}.ts`,
      loader: 'ts',
    },
    bundle: true,
    write: false,
    outfile: `dist/bundle/commands/${name}.cjs`,
    format: 'cjs',
    platform: 'node',
    target: 'node20.18',
    // Less to compile at every start; names are kept, so --debug stacks still read.
    minifyWhitespace: true,
    minifySyntax: true,
    // chalk and undici as well: loaded from node_modules only when colour is on or a request is sent.
    external: [...EXTERNAL_FOR_COMMANDS, 'chalk', 'undici'],
    // The one use of import.meta (package-root.ts) wants the module's folder; any other fails the build.
    define: { 'import.meta.dirname': '__dirname' },
    logOverride: { 'empty-import-meta': 'error' },
    banner: { js: "'use strict';" },
    plugins: [lazyChildProcess],
    metafile: true,
    logLevel: 'warning',
  });
  const output = Object.values(result.metafile.outputs)[0];
  const esmOnly = output.imports.find((i) => ESM_ONLY.includes(i.path));
  if (esmOnly) return `imports ${esmOnly.path}`;
  writeFileSync(`dist/bundle/commands/${name}.cjs`, result.outputFiles[0].contents);
  return 'ok';
}

// The command table in src/cli.ts is the one list of commands and where their definitions are.
const table = await readFile('src/cli.ts', 'utf8');
const commands = [...table.matchAll(/^ {2}(\w+): async \(\) => \(await import\('(\.\/commands\/[\w-]+\/command\.js)'\)\)\.(\w+),$/gm)];
if (commands.length === 0) throw new Error('bundle: no commands found in the table in src/cli.ts');
mkdirSync('dist/bundle/commands', { recursive: true });
// completion lists every command: it runs from cli.js, which loads them all.
for (const [, name, file, define] of commands.filter(([, name]) => name !== 'completion')) {
  const outcome = await buildCommand(name, file, define);
  if (outcome !== 'ok') console.log(`bundle: ${name} runs from cli.js (${outcome})`);
}
