import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const IMPORT = /(?:^(?:import|export)\s[^;]*?from\s*|import\()\s*['"](\.[^'"]+)['"]/gms;

/** A module's unit in the layout: its folder under src/, or the file itself at the top of src/. */
function unitOf(file: string): string {
  const rel = path.relative(SRC, file);
  return path.dirname(rel) === '.' ? rel : path.dirname(rel);
}

/** Which units import which (static, type-only and dynamic imports alike), with one example file each. */
async function folderGraph(): Promise<Map<string, Map<string, string>>> {
  const graph = new Map<string, Map<string, string>>();
  const files = (await readdir(SRC, { recursive: true })).filter((f) => /\.tsx?$/.test(f)).map((f) => path.join(SRC, f));
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    for (const [, spec] of text.matchAll(IMPORT)) {
      const target = path.resolve(path.dirname(file), spec!).replace(/\.js$/, '.ts');
      const [from, to] = [unitOf(file), unitOf(target)];
      if (from === to) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      edges.set(to, `${path.relative(SRC, file)} → ${spec}`);
      graph.set(from, edges);
    }
  }
  return graph;
}

/** The loops: every pair of units that reach each other, as one path from the first to the second and back. */
function loops(graph: Map<string, Map<string, string>>): string[] {
  const reach = (from: string): Map<string, string[]> => {
    const paths = new Map<string, string[]>([[from, []]]);
    const queue = [from];
    for (let unit = queue.shift(); unit !== undefined; unit = queue.shift()) {
      for (const [next, why] of graph.get(unit) ?? []) {
        if (paths.has(next)) continue;
        paths.set(next, [...paths.get(unit)!, why]);
        queue.push(next);
      }
    }
    return paths;
  };
  const found: string[] = [];
  const units = [...graph.keys()].sort();
  for (const a of units) {
    const fromA = reach(a);
    for (const b of units) {
      if (b <= a || !fromA.has(b)) continue;
      const back = reach(b).get(a);
      if (back) found.push(`${a} ⇄ ${b}: ${[...fromA.get(b)!, ...back].join(', ')}`);
    }
  }
  return found;
}

describe('layout', () => {
  it('no folder of src/ imports one that imports it back (shared words live in leaf modules)', async () => {
    expect(loops(await folderGraph())).toEqual([]);
  });
});
