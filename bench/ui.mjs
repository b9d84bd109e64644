// The interactive view at scale: RSS with 1k/10k/100k deliveries in the session, and the time
// from a new delivery to the frame that shows it (goal: ≤ 150 MB at 100k; per-delivery cost at
// 100k within 1.5x of that at 1k). Each size runs in a fresh process so RSS figures are its own.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { round } from './lib.mjs';

export const title = 'Interactive view at scale';
const SIZES = [1_000, 10_000, 100_000];

function measure(size) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', fileURLToPath(new URL('./processes/ui-size.mjs', import.meta.url)), String(size)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`ui-size ${size} exited ${code}`))));
  });
}

export async function run() {
  const rows = [];
  for (const size of SIZES) rows.push({ deliveries: size, ...(await measure(size)) });
  const base = rows[0].ms_per_delivery_median;
  const last = rows.at(-1);
  return {
    title,
    goal: '≤ 150 MB RSS at 100k deliveries; per-delivery render cost at 100k ≤ 1.5x that at 1k',
    note: 'The view over an in-memory feed of summaries (what the durable log keeps in memory; bodies stay on disk), rendered by Ink to an 80x24 test terminal; 200 new deliveries appended one at a time, each timed until its frame is drawn.',
    rows: rows.map((r) => ({ ...r, ratio_to_1k: round(r.ms_per_delivery_median / base), meets_goal: r === last ? r.rss_mb <= 150 && r.ms_per_delivery_median / base <= 1.5 : undefined })),
  };
}
