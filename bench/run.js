// Runs every benchmark in one go and writes the figures, with the machine, to BENCHMARKS.md.
// Usage: npm run bench [-- --only startup,trigger [--write]] [-- --runs N] [-- --quick [--write]]
// --only prints the named benchmarks; with --write it also replaces just their sections in BENCHMARKS.md.
// --quick runs only the benchmarks with goals, with fewer runs, shorter durations and smaller sizes
// (under two minutes), labelled quick; it prints and writes nothing unless --write is given.
// Each benchmark module exports run({ runs, quick }) → { title, goal, note, rows, goals }.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { machine } from './lib.mjs';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : undefined;
const quick = args.includes('--quick');
const dir = fileURLToPath(new URL('./', import.meta.url));
const ORDER = ['startup', 'trigger', 'node-versions', 'replay', 'replay-ci', 'listen', 'flood', 'memory', 'ui'];
/** The benchmarks that hold the goals (the others measure limits): what --quick runs. */
const GOAL_BENCHMARKS = ['startup', 'trigger', 'replay', 'replay-ci', 'listen', 'ui'];
const found = (await readdir(dir)).filter((f) => f.endsWith('.mjs') && f !== 'lib.mjs').map((f) => f.replace(/\.mjs$/, ''));
const names = ORDER.filter((n) => found.includes(n))
  .concat(found.filter((n) => !ORDER.includes(n)).sort())
  .filter((n) => (only ? only.includes(n) : !quick || GOAL_BENCHMARKS.includes(n)));

const m = machine();
const started = Date.now();
const sections = [];
for (const name of names) {
  const mod = await import(`./${name}.mjs`);
  if (typeof mod.run !== 'function') continue; // a helper module (servers, lib, baselines), not a benchmark
  process.stderr.write(`bench: ${name}${quick ? ' (quick)' : ''}…\n`);
  const at = Date.now();
  const result = await mod.run({ ...(runs ? { runs } : {}), quick });
  sections.push(result);
  process.stderr.write(`${JSON.stringify(result)}\nbench: ${name} took ${Math.round((Date.now() - at) / 1000)} s\n`);
}
const seconds = Math.round((Date.now() - started) / 1000);

function table(rows) {
  const all = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const keys = [...all.filter((k) => k !== 'meets_goal'), ...all.filter((k) => k === 'meets_goal')]; // the verdict last
  const cell = (v) => (v === undefined ? '' : typeof v === 'boolean' ? (v ? 'yes' : 'NO') : String(v));
  return [`| ${keys.join(' | ')} |`, `| ${keys.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${keys.map((k) => cell(r[k])).join(' | ')} |`)].join('\n');
}

const today = new Date().toISOString().slice(0, 10);
const QUICK_LABEL = 'QUICK RUN (`--quick`: fewer runs, shorter durations, smaller sizes; indicative only, not the figures of record).';
const goalRows = (list) => list.flatMap((s) => (s.goals ?? []).map((g) => ({ benchmark: s.title, ...g, ...(quick ? { measured: `${g.measured} (quick run)` } : {}) })));
const GOALS_INTRO = `## Goals

Each goal of the benchmarks below, as one row: the measured ratio (ours / the baseline measured in the same
interleaved run) or amount, against its target.

`;
const sectionText = (s, remeasured = '') => `## ${s.title}\n\nGoal: ${s.goal}.${remeasured}${quick ? ` ${QUICK_LABEL}` : ''}${s.note ? `\n\n${s.note}` : ''}\n\n${table(s.rows)}\n`;

const doc = `# Benchmarks

Measured by \`npm run bench${quick ? ' -- --quick' : ''}\` (bench/run.js) on ${today} in ${seconds} s.${quick ? ` ${QUICK_LABEL}` : ''} Every speed figure is a ratio to a
baseline measured in the same run; runs are interleaved so machine noise hits both alike. Baselines are
the smallest scripts doing the same work (bench/baselines.mjs), each checked before timing to send the
very requests the command sends. Benchmarks are not tests: the test suite asserts no timings.

Machine: ${m.cpu}, ${m.memory}, ${m.platform}, Node ${m.node}, load average at start ${m.load}.

${goalRows(sections).length ? `${GOALS_INTRO}${table(goalRows(sections))}\n\n` : ''}${sections.map((s) => sectionText(s)).join('\n')}`;
const target = new URL('../BENCHMARKS.md', import.meta.url);
if (args.includes('--write') && (only || quick)) await writeFile(target, mergeSections(await readFile(target, 'utf8'), sections));
else if (!only && !quick) await writeFile(target, doc);
process.stdout.write(doc);
if (quick) process.stderr.write(`bench: quick run took ${seconds} s${args.includes('--write') ? '' : '; BENCHMARKS.md not written (add --write)'}\n`);

/**
 * With --only/--quick and --write: replace just the benchmarks that ran (or append them) and their
 * rows of the goals table, keep the rest.
 */
function mergeSections(existing, fresh) {
  const parts = existing.split(/^(?=## )/m);
  for (const s of fresh) {
    const text = `${sectionText(s, ` Re-measured on ${today}, Node ${m.node}, load average at start ${m.load}.`)}\n`;
    const i = parts.findIndex((p) => p.startsWith(`## ${s.title}\n`));
    if (i >= 0) parts[i] = text;
    else parts.push(text);
  }
  const fresher = goalRows(fresh);
  if (fresher.length === 0) return `${parts.join('').trimEnd()}\n`;
  const [head, rule, ...rows] = table(fresher).split('\n');
  const goals = parts.findIndex((p) => p.startsWith('## Goals\n'));
  const reran = new Set(fresh.map((s) => s.title));
  const titleOf = (line) => line.split(' | ')[0].slice(2);
  const kept = goals < 0 ? [] : parts[goals].split('\n').slice(1).filter((line) => line.startsWith('| ') && line !== head && !line.startsWith('| ---') && !reran.has(titleOf(line)));
  // In the order of the sections they belong to (a stable sort keeps each benchmark's own order).
  const at = (line) => parts.findIndex((p) => p.startsWith(`## ${titleOf(line)}\n`));
  const text = `${GOALS_INTRO}${[head, rule, ...[...kept, ...rows].sort((x, y) => at(x) - at(y))].join('\n')}\n\n`;
  if (goals >= 0) parts[goals] = text;
  else parts.splice(1, 0, text);
  return `${parts.join('').trimEnd()}\n`;
}
