// Start-up: `webhook --help` (goal ≤ 1.15x) and `webhook sign ...` (goal ≤ 1.25x) against
// `node -e 0`, with two reference rows: an empty ES module, and an ES module that signs the same
// body with HMAC-SHA512 and prints the same headers `webhook sign` prints.
import { BIN, compareProcesses, goal, round, scratch } from './lib.mjs';
import { writeBaselines } from './baselines.mjs';

export const title = 'Start-up';

const SECRET = 'sk_test_bench';
const BODY = '{"event":"charge.success"}';
export const GOALS = { help: 1.15, sign: 1.25 };

/** `node`: the runtime to time (default: this one); `env`: extra environment for every process. */
export async function run({ runs, quick = false, node = process.execPath, env: extra = {} } = {}) {
  runs ??= quick ? 5 : 15;
  const env = { ...process.env, NO_COLOR: '1', PAYSTACK_SECRET_KEY: SECRET, ...extra };
  const tmp = await scratch('startup');
  try {
    const scripts = await writeBaselines(tmp.dir);
    const results = await compareProcesses(
      [
        { name: 'node -e 0', command: node, args: ['-e', '0'], options: { env } },
        { name: 'empty ES module (reference)', command: node, args: [scripts.empty], options: { env } },
        { name: 'ES module: HMAC and print (reference)', command: node, args: [scripts.sign, BODY, SECRET], options: { env } },
        { name: 'webhook --help', command: node, args: [BIN, '--help'], options: { env } },
        { name: 'webhook sign', command: node, args: [BIN, 'sign', '--provider', 'paystack', '--body', BODY], options: { env } },
      ],
      runs,
    );
    const base = results['node -e 0'];
    const limit = { 'webhook --help': GOALS.help, 'webhook sign': GOALS.sign };
    return {
      title,
      goal: `webhook --help ≤ ${GOALS.help}x and webhook sign ≤ ${GOALS.sign}x node -e 0 (median wall time)`,
      note: `${runs} interleaved run${runs === 1 ? '' : 's'} of each whole process. The reference rows show the floor any ES module script pays, and what a script doing \`webhook sign\`'s work (HMAC-SHA512 of the body, print the three headers) costs.`,
      rows: Object.entries(results).map(([name, s]) => ({
        name,
        min_ms: round(s.min, 1),
        median_ms: round(s.median, 1),
        ratio_min: round(s.min / base.min),
        ratio_median: round(s.median / base.median),
        meets_goal: limit[name] === undefined ? undefined : s.median / base.median <= limit[name],
      })),
      goals: [
        goal('`webhook --help` vs `node -e 0`', '≤', GOALS.help, results['webhook --help'].median / base.median),
        goal('`webhook sign` vs `node -e 0`', '≤', GOALS.sign, results['webhook sign'].median / base.median),
      ],
    };
  } finally {
    await tmp.remove();
  }
}
