// Replay throughput: `webhook replay` of N fixtures, 16 in flight, against a minimal script doing
// the same work (read each fixture file, sign it as Paystack, send it on an undici Pool with
// `dispatch` and a plain handler, check for 200) (goal: ≥ 0.9x its fixtures/s, whole processes by
// wall time). References: the same work over raw keep-alive sockets, and autocannon sending one
// pre-built request to the same server.
import autocannon from 'autocannon';
import { BIN, goal, round, scratch, summary, timeProcess } from './lib.mjs';
import { checkSameWork, paystackBody, PAYSTACK_HEADERS, paystackSignature, writeBaselines, writeFixtures } from './baselines.mjs';
import { startApp } from './servers.mjs';

export const title = 'Replay throughput';
const SECRET = 'sk_test_bench_replay';
export const GOAL = 0.9;

/** The command and the baseline scripts as cases: argv for a target URL, over `dir` (holding paystack/). */
export function replayCases(scripts, dir, folder, concurrency) {
  const node = process.execPath;
  return [
    { name: 'webhook replay', command: node, args: (url) => [BIN, 'replay', dir, '--to', url, '--secret', SECRET, '--concurrency', String(concurrency)] },
    { name: 'minimal script (undici Pool, dispatch)', command: node, args: (url) => [scripts['replay-pool'], folder, url, SECRET, String(concurrency)] },
    { name: 'minimal script (raw keep-alive sockets)', command: node, args: (url) => [scripts['replay-socket'], folder, url, SECRET, String(concurrency)] },
  ];
}

/** Check the cases send identical requests, on a small folder of the same kind of fixtures. */
export async function checkReplayCases(scripts, tmp, concurrency, env) {
  const dir = `${tmp}/check`;
  const folder = await writeFixtures(dir, 20);
  await checkSameWork(replayCases(scripts, dir, folder, concurrency), env);
}

export const replayEnv = () => ({ ...process.env, NO_COLOR: '1', CI: 'true' });

export async function run({ runs, quick = false, fixtures = quick ? 1000 : 5000, concurrency = 16 } = {}) {
  runs ??= quick ? 1 : 3;
  const seconds = quick ? 1 : 3;
  const tmp = await scratch('replay');
  const app = await startApp();
  const env = replayEnv();
  try {
    const scripts = await writeBaselines(tmp.dir);
    await checkReplayCases(scripts, tmp.dir, concurrency, env);
    const dir = `${tmp.dir}/run`;
    const folder = await writeFixtures(dir, fixtures);
    const cases = replayCases(scripts, dir, folder, concurrency);
    const rates = Object.fromEntries(cases.map((c) => [c.name, []]));
    const cannon = [];
    const body = await paystackBody();
    for (let i = 0; i < runs; i++) {
      for (const c of cases) rates[c.name].push((fixtures / (await timeProcess(c.command, c.args(`${app.url}/webhooks`), { env }))) * 1000);
      // Steady-state rate over a fixed time (autocannon's amount mode ends on a 1-second tick).
      const result = await autocannon({ url: `${app.url}/webhooks`, method: 'POST', connections: concurrency, duration: seconds, body, headers: { 'content-type': 'application/json', 'user-agent': 'Paystack/1.0', 'x-paystack-signature': paystackSignature(SECRET, body) } });
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`autocannon: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
      cannon.push(result.requests.total / seconds);
    }
    const median = (name) => summary(rates[name]).median;
    const pool = median('minimal script (undici Pool, dispatch)');
    const ours = median('webhook replay');
    return {
      title,
      goal: `≥ ${GOAL}x the fixtures/s of the minimal undici Pool script (whole processes, wall time)`,
      note: `${fixtures} fixtures (one file each, ~${body.length} bytes, each distinct), ${concurrency} in flight, to a loopback app in its own process; ${runs} interleaved run${runs === 1 ? '' : 's'}. Every figure but autocannon's is fixtures / wall time of the whole process (start-up included): read each file, sign it with HMAC-SHA512, send it with Paystack's headers (${PAYSTACK_HEADERS.join(', ')}), check for 200; webhook also checks every fixture before sending any. Before timing, each is run on 20 fixtures against a recording server to check that all send identical requests. autocannon (reference only) sends one pre-built request over and over for ${seconds} s: no files, no signing, no start-up.`,
      rows: [
        ...cases.map((c) => ({ name: c.name, median_per_s: round(median(c.name), 0), ratio_to_pool: round(median(c.name) / pool), meets_goal: c.name === 'webhook replay' ? ours / pool >= GOAL : undefined })),
        { name: 'autocannon (reference: one pre-built request)', median_per_s: round(summary(cannon).median, 0), ratio_to_pool: round(summary(cannon).median / pool) },
      ],
      goals: [goal(`\`replay\` ${fixtures.toLocaleString('en')} fixtures (${concurrency} in flight) vs a minimal undici \`Pool\` + \`dispatch\` script, fixtures/s`, '≥', GOAL, ours / pool)],
    };
  } finally {
    await app.close();
    await tmp.remove();
  }
}
