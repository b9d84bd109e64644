// Runs every benchmark in one go and writes the figures, with the machine, to BENCHMARKS.md.
// Usage: npm run bench [-- --only startup,trigger [--write]] [-- --runs N]
// --only prints the named benchmarks; with --write it also replaces just their sections in BENCHMARKS.md.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { machine } from './lib.mjs';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : undefined;
const dir = fileURLToPath(new URL('./', import.meta.url));
const ORDER = ['startup', 'trigger', 'node-versions', 'replay', 'listen', 'flood', 'memory', 'ui'];
const found = (await readdir(dir)).filter((f) => f.endsWith('.mjs') && f !== 'lib.mjs').map((f) => f.replace(/\.mjs$/, ''));
const names = ORDER.filter((n) => found.includes(n)).concat(found.filter((n) => !ORDER.includes(n)).sort()).filter((n) => !only || only.includes(n));

const sections = [];
for (const name of names) {
  const mod = await import(`./${name}.mjs`);
  if (typeof mod.run !== 'function') continue; // a helper module (servers, lib), not a benchmark
  process.stderr.write(`bench: ${name}…\n`);
  const result = await mod.run(runs ? { runs } : {});
  sections.push(result);
  process.stderr.write(`${JSON.stringify(result)}\n`);
}

function table(rows) {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v) => (v === undefined ? '' : typeof v === 'boolean' ? (v ? 'yes' : 'NO') : String(v));
  return [`| ${keys.join(' | ')} |`, `| ${keys.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${keys.map((k) => cell(r[k])).join(' | ')} |`)].join('\n');
}

const m = machine();
const doc = `# Benchmarks

Measured by \`npm run bench\` (bench/run.js) on ${new Date().toISOString().slice(0, 10)}. Every figure is a ratio to a
baseline measured in the same run; runs are interleaved so machine noise hits both alike.
Benchmarks are not tests: the test suite asserts no timings.

Machine: ${m.cpu}, ${m.memory}, ${m.platform}, Node ${m.node}, load average at start ${m.load}.

${sections.map((s) => `## ${s.title}\n\nGoal: ${s.goal}.${s.note ? `\n\n${s.note}` : ''}\n\n${table(s.rows)}\n`).join('\n')}`;
const target = new URL('../BENCHMARKS.md', import.meta.url);
if (!only) await writeFile(target, doc);
else if (args.includes('--write')) await writeFile(target, mergeSections(await readFile(target, 'utf8'), sections));
process.stdout.write(doc);

/** With --only … --write: replace just the benchmarks that ran (or append them), keep the rest. */
function mergeSections(existing, fresh) {
  const parts = existing.split(/^(?=## )/m);
  for (const s of fresh) {
    const text = `## ${s.title}\n\nGoal: ${s.goal}. Re-measured on ${new Date().toISOString().slice(0, 10)}, Node ${m.node}, load average at start ${m.load}.${s.note ? `\n\n${s.note}` : ''}\n\n${table(s.rows)}\n\n`;
    const i = parts.findIndex((p) => p.startsWith(`## ${s.title}\n`));
    if (i >= 0) parts[i] = text;
    else parts.push(text);
  }
  return `${parts.join('').trimEnd()}\n`;
}
