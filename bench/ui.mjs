// The interactive view at scale. Memory: the real command, `webhook log -i`, opened on a store of
// 100k deliveries (written by the project's own delivery log, ~1.2 KB bodies) in an 80x24 terminal
// (tmux), its RSS read from /proc once the first frame shows (goal: ≤ 150 MB). Render cost: the
// view over 1k/10k/100k deliveries in a test terminal, the time from a new delivery to the frame
// that shows it (goal: at 100k ≤ 1.5x that at 1k). Each size runs in a fresh process.
import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BIN, goal, round, scratch } from './lib.mjs';

export const title = 'Interactive view at scale';
export const GOALS = { rssMB: 150, renderRatio: 1.5 };
const PROCESSES = fileURLToPath(new URL('./processes/', import.meta.url));

/** A child node process run to completion; its stdout. */
function node(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`node ${args.join(' ')} exited ${code}`))));
  });
}

const quote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
const statusMB = (status, field) => (Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]) * 1024) / 1e6;

/**
 * `webhook log -i --store <dir>` in a detached 80x24 tmux session (its own server socket, removed
 * after): waits for the first frame to show `total <n>`, then reads the process's memory.
 */
async function realView(store, total) {
  // Its own server (-L), no user config, and not nested in a tmux the bench may run in.
  const tmux = (...args) =>
    promisify(execFile)('tmux', ['-L', `webhook-bench-${process.pid}`, '-f', '/dev/null', ...args], { env: { ...process.env, TMUX: undefined } }).catch((error) => {
      throw error.code === 'ENOENT' ? new Error('bench/ui.mjs opens the real view in tmux: install tmux') : error;
    });
  const started = performance.now();
  const command = `exec env -u CI -u WEBHOOK_STORE ${quote(process.execPath)} ${quote(BIN)} log -i --store ${quote(store)}`;
  try {
    const pid = Number((await tmux('new-session', '-d', '-x', '80', '-y', '24', '-P', '-F', '#{pane_pid}', command)).stdout.trim());
    let screen = '';
    while (!screen.includes(`total ${total} `)) {
      if (performance.now() - started > 180_000) throw new Error(`no first frame within 180 s; the terminal shows:\n${screen}`);
      await new Promise((r) => setTimeout(r, 50));
      screen = (await tmux('capture-pane', '-p')).stdout;
    }
    const firstFrameMs = performance.now() - started;
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return { first_frame_ms: round(firstFrameMs, 0), rss_mb: round(statusMB(status, 'VmRSS'), 0), peak_rss_mb: round(statusMB(status, 'VmHWM'), 0) };
  } finally {
    await tmux('kill-server').catch(() => {});
  }
}

export async function run({ quick = false } = {}) {
  const sizes = quick ? [1_000, 100_000] : [1_000, 10_000, 100_000];
  const viewed = quick ? [100_000] : [1_000, 100_000];
  const appended = quick ? 30 : 200;
  const tmp = await scratch('ui');
  try {
    const stores = new Map();
    for (const size of sizes) {
      const dir = path.join(tmp.dir, `store-${size}`);
      stores.set(size, { dir, mb: round(Number(await node([path.join(PROCESSES, 'make-store.mjs'), dir, String(size)])) / 1e6, 0) });
    }
    const view = [];
    for (const size of viewed) view.push({ deliveries: size, store_mb: stores.get(size).mb, ...(await realView(stores.get(size).dir, size)) });
    // After the views: these append to the stores.
    const render = [];
    for (const size of sizes) render.push({ deliveries: size, ...JSON.parse(await node(['--expose-gc', path.join(PROCESSES, 'ui-size.mjs'), stores.get(size).dir, String(appended)])) });
    const base = render[0].ms_per_delivery_median;
    const peak = view.at(-1).peak_rss_mb;
    const renderRatio = render.at(-1).ms_per_delivery_median / base;
    return {
      title,
      goal: `≤ ${GOALS.rssMB} MB peak RSS for \`webhook log -i\` on a 100k-delivery store; per-delivery render cost at 100k ≤ ${GOALS.renderRatio}x that at 1k`,
      note: `Memory rows (case "webhook log -i"): the real command in an 80x24 tmux terminal on a store written by the project's delivery log (request and outcome records as listen writes them, ~1.2 KB Paystack bodies, headers, signature verdicts); first_frame_ms is from starting the process to the frame showing the total; RSS and peak (VmRSS, VmHWM) read from /proc then, in MB (10^6 bytes). Render rows (case "render cost"): the view over the same kind of store opened as listen holds it (summaries in memory, bodies on disk), rendered by Ink to an 80x24 test terminal; ${appended} new deliveries appended one at a time, each timed until its frame is drawn; rss_mb there is the whole test process (view, test renderer, log).`,
      rows: [
        ...view.map((r) => ({ case: 'webhook log -i', ...r, meets_goal: r === view.at(-1) ? r.peak_rss_mb <= GOALS.rssMB : undefined })),
        ...render.map((r) => ({ case: 'render cost', ...r, ratio_to_1k: round(r.ms_per_delivery_median / base), meets_goal: r === render.at(-1) ? renderRatio <= GOALS.renderRatio : undefined })),
      ],
      goals: [
        goal('the interactive view (`webhook log -i`) over a 100k-delivery log, 80×24 terminal: peak RSS', '≤', GOALS.rssMB, peak, 'MB'),
        goal('the interactive view: per-delivery render cost at 100k vs 1k deliveries', '≤', GOALS.renderRatio, renderRatio),
      ],
    };
  } finally {
    await tmp.remove();
  }
}
