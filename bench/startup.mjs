// Start-up: `webhook --help` and `webhook sign ...` against `node -e 0` (goals: help ≤ 1.15x, sign ≤ 1.25x).
import { BIN, compareProcesses, round } from './lib.mjs';

/** The goal of each command, as a ratio of medians to `node -e 0`. */
export const GOALS = { 'webhook --help': 1.15, 'webhook sign': 1.25 };

export const title = 'Start-up';

/** `node`: the runtime to time (default: this one); `env`: extra environment for every process. */
export async function run({ runs = 15, node = process.execPath, env: extra = {} } = {}) {
  const env = { ...process.env, NO_COLOR: '1', PAYSTACK_SECRET_KEY: 'sk_test_bench', ...extra };
  const results = await compareProcesses(
    [
      { name: 'node -e 0', command: node, args: ['-e', '0'], options: { env } },
      { name: 'webhook --help', command: node, args: [BIN, '--help'], options: { env } },
      { name: 'webhook sign', command: node, args: [BIN, 'sign', '--provider', 'paystack', '--body', '{"event":"charge.success"}'], options: { env } },
    ],
    runs,
  );
  const base = results['node -e 0'];
  return {
    title,
    goal: 'webhook --help ≤ 1.15x node -e 0, webhook sign ≤ 1.25x (medians)',
    rows: Object.entries(results).map(([name, s]) => ({
      name,
      min_ms: round(s.min, 1),
      median_ms: round(s.median, 1),
      ratio_min: round(s.min / base.min),
      ratio_median: round(s.median / base.median),
      meets_goal: name === 'node -e 0' ? undefined : s.median / base.median <= GOALS[name],
    })),
  };
}
