#!/usr/bin/env node
// Import loops in src/, at two levels, from one dpdm run (its JSON import graph):
//   - file level: no module imports itself through others (dpdm's own cycle list);
//   - folder level: a folder is a directory directly under src/ (src/store, src/listen, ...; a file
//     directly in src/ counts as its own unit). No folder may reach itself through imports of other
//     folders: A -> B -> A is a layering loop even when no single file cycle exists.
// Every import counts: static, dynamic, re-exports and type-only imports (a type import is still a
// folder knowing about another). Each folder loop is printed with one file -> file import per step,
// so the import that closes it can be found and moved.
// Usage: node scripts/check-layers.mjs [--runtime] [--json dpdm-output.json]   exit 1 when a loop is found.
//   --runtime  leave type-only imports out (dpdm -T): the loops that exist when the code runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function dpdmGraph() {
  const at = process.argv.indexOf('--json');
  if (at !== -1) return JSON.parse(readFileSync(process.argv[at + 1], 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'check-layers-'));
  const out = join(dir, 'graph.json');
  try {
    const bin = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'dpdm.cmd' : 'dpdm');
    const run = spawnSync(
      bin,
      [...(process.argv.includes('--runtime') ? ['-T'] : []), '--skip-dynamic-imports', 'circular', '--no-tree', '--no-warning', '--no-circular', '--no-progress', '-o', out, 'src/**/*.ts', 'src/**/*.tsx'],
      { cwd: root, encoding: 'utf8' },
    );
    if (run.status !== 0) {
      process.stderr.write(run.stderr || run.stdout || `dpdm exited with ${run.status}\n`);
      process.exit(2);
    }
    return JSON.parse(readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** src/store/feed.ts -> "store"; src/errors.ts -> "errors.ts"; outside src/ -> undefined. */
function unitOf(file) {
  const parts = file.split('/');
  if (parts[0] !== 'src' || parts.length < 2) return undefined;
  return parts[1];
}

/** folder -> folder -> [file -> file imports] */
function folderGraph(tree) {
  const graph = new Map();
  for (const [issuer, deps] of Object.entries(tree)) {
    const from = unitOf(issuer);
    if (from === undefined || !Array.isArray(deps)) continue;
    for (const dep of deps) {
      const to = dep.id ? unitOf(dep.id) : undefined;
      if (to === undefined || to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      const edges = graph.get(from);
      if (!edges.has(to)) edges.set(to, []);
      const imports = edges.get(to);
      if (!imports.some((e) => e.issuer === issuer && e.id === dep.id)) imports.push({ issuer, id: dep.id });
    }
  }
  return graph;
}

/** Strongly connected components with more than one folder (Tarjan). */
function loopsOf(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  let next = 0;
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) components.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return components;
}

/** Shortest path of folders from `from` to `to` inside `within` (breadth first). */
function shortestPath(graph, from, to, within) {
  const previous = new Map([[from, undefined]]);
  const queue = [from];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of [...(graph.get(v)?.keys() ?? [])].sort()) {
      if (!within.has(w) || previous.has(w)) continue;
      previous.set(w, v);
      if (w === to) {
        const path = [to];
        for (let at = v; at !== undefined; at = previous.get(at)) path.unshift(at);
        return path;
      }
      queue.push(w);
    }
  }
  return undefined;
}

/** One loop per folder edge inside a component: the edge, then the shortest way back. */
function describeLoops(graph, component) {
  const within = new Set(component);
  const seen = new Set();
  const lines = [];
  for (const a of component) {
    for (const b of [...(graph.get(a)?.keys() ?? [])].sort()) {
      if (!within.has(b)) continue;
      const back = shortestPath(graph, b, a, within);
      if (back === undefined) continue;
      const loop = [a, ...back];
      const key = rotated(loop.slice(0, -1)).join('>');
      if (seen.has(key)) continue;
      seen.add(key);
      lines.push(`  ${loop.join(' -> ')}`);
      for (let i = 0; i + 1 < loop.length; i += 1) {
        const imports = graph.get(loop[i]).get(loop[i + 1]);
        const more = imports.length > 1 ? ` (+${imports.length - 1} more)` : '';
        lines.push(`    ${imports[0].issuer} -> ${imports[0].id}${more}`);
      }
    }
  }
  return lines;
}

function rotated(cycle) {
  let best = 0;
  for (let i = 1; i < cycle.length; i += 1) if (cycle[i] < cycle[best]) best = i;
  return [...cycle.slice(best), ...cycle.slice(0, best)];
}

const result = dpdmGraph();
let failed = false;

const fileCycles = (result.circulars ?? []).filter((c) => c.every((f) => f.startsWith('src/')));
if (fileCycles.length > 0) {
  failed = true;
  console.log(`file import cycles (${fileCycles.length}):`);
  for (const cycle of fileCycles) console.log(`  ${[...cycle, cycle[0]].join(' -> ')}`);
}

const graph = folderGraph(result.tree ?? {});
const components = loopsOf(graph);
if (components.length > 0) {
  failed = true;
  console.log(`folder import loops under src/ (${components.length} group${components.length > 1 ? 's' : ''}):`);
  for (const component of components) {
    console.log(`- ${component.join(', ')}`);
    for (const line of describeLoops(graph, component)) console.log(line);
  }
}

if (failed) process.exit(1);
console.log(`layers: no file cycles, no folder loops (${graph.size} units under src/)`);
