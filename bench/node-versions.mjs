// Start-up and trigger on each supported Node line (20 = this runtime, 22 and 24 installed by
// scripts/node-runtime.sh), with and without Node's on-disk compile cache (22.1+), which
// bin/webhook.js turns on when the runtime has it.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { round } from './lib.mjs';
import { GOALS, run as startup } from './startup.mjs';
import { run as trigger } from './trigger.mjs';

export const title = 'Start-up and trigger on each Node line';

const RUNTIME = fileURLToPath(new URL('../scripts/node-runtime.sh', import.meta.url));

function runtimes() {
  const list = [{ label: `Node ${process.version}`, node: process.execPath, cache: false }];
  for (const major of ['22', '24']) {
    const bin = execFileSync('bash', [RUNTIME, major], { encoding: 'utf8' }).trim();
    const node = `${bin}/node`;
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    list.push({ label: `Node ${version}, compile cache off`, node, cache: false });
    list.push({ label: `Node ${version}`, node, cache: true });
  }
  return list;
}

export async function run({ runs = 15 } = {}) {
  const rows = [];
  for (const r of runtimes()) {
    const env = r.cache ? {} : { NODE_DISABLE_COMPILE_CACHE: '1' };
    const s = await startup({ runs, node: r.node, env });
    const t = await trigger({ runs, node: r.node, env });
    const cell = (rowsOf, name) => rowsOf.rows.find((row) => row.name === name);
    const base = cell(s, 'node -e 0');
    const help = cell(s, 'webhook --help');
    const sign = cell(s, 'webhook sign');
    const minimal = t.rows[0];
    const ours = cell(t, 'webhook trigger');
    rows.push({
      runtime: r.label,
      node_e0_ms: base.median_ms,
      help_ms: help.median_ms,
      help_ratio: help.ratio_median,
      sign_ms: sign.median_ms,
      sign_ratio: sign.ratio_median,
      trigger_ms: ours.median_ms,
      trigger_ratio: round(ours.median_ms / minimal.median_ms),
      meets_goal: help.ratio_median <= GOALS['webhook --help'] && sign.ratio_median <= GOALS['webhook sign'] && ours.median_ms / minimal.median_ms <= 1.5,
    });
  }
  return {
    title,
    goal: 'the start-up (help ≤ 1.15x, sign ≤ 1.25x node -e 0) and trigger (≤ 1.5x the minimal script) goals on every supported Node line',
    note: 'Medians of interleaved whole-process runs. "compile cache off" sets NODE_DISABLE_COMPILE_CACHE=1; otherwise bin/webhook.js enables the cache (Node ≥ 22.1), so the figures show what users on each line get after the first run.',
    rows,
  };
}
