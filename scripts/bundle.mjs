// Bundles the CLI into a few ESM files (one per lazily loaded command) so start-up reads a
// handful of files instead of dozens. tsc still emits dist/ (types and the library API).
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Start clean: chunk names are content hashes, so old ones would pile up.
rmSync('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: ['src/cli.ts'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.18',
  // Native or lazily needed packages stay as they are in node_modules. Ink, React and zod are
  // bundled: one file each instead of hundreds of modules costs the view ~25 MB less memory.
  external: ['@ngrok/ngrok', 'ssh2', 'cosmiconfig', 'junit-report-builder'],
  // React's production build (the development build keeps far more per render).
  define: { 'process.env.NODE_ENV': '"production"' },
  alias: { 'react-devtools-core': './scripts/stubs/react-devtools-core.mjs' },
  banner: { js: "import { createRequire as __webhookRequire } from 'node:module'; const require = __webhookRequire(import.meta.url);" },
  logLevel: 'warning',
});
