// `webhook trigger` one event vs a minimal node:http script that reads the same body, signs it and
// POSTs it (goal ≤ 1.2x); a fetch-based script as a reference. All whole processes, started the
// same way, against the same server; checked first to send identical requests.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BIN, compareProcesses, goal, round, scratch } from './lib.mjs';
import { checkSameWork, paystackBody, writeBaselines } from './baselines.mjs';
import { startApp } from './servers.mjs';

export const title = 'webhook trigger: one event, whole process';

const SECRET = 'sk_test_bench_trigger';
export const GOAL = 1.2;

/** `node`: the runtime to time (default: this one); `env`: extra environment for every process. */
export async function run({ runs, quick = false, node = process.execPath, env: extra = {} } = {}) {
  runs ??= quick ? 5 : 15;
  const app = await startApp();
  const tmp = await scratch('trigger');
  try {
    // The event as a fixture without templates, so the command and the scripts send the same bytes.
    const fixtures = path.join(tmp.dir, 'fixtures');
    const body = path.join(fixtures, 'paystack', 'charge.success.json');
    await mkdir(path.dirname(body), { recursive: true });
    await writeFile(body, await paystackBody());
    const scripts = await writeBaselines(tmp.dir);
    const env = { ...process.env, NO_COLOR: '1', CI: '1', ...extra };
    const cases = [
      { name: 'minimal script (node:http)', command: node, args: (url) => [scripts['send-http'], body, url, SECRET] },
      { name: 'minimal script (fetch, reference)', command: node, args: (url) => [scripts['send-fetch'], body, url, SECRET] },
      { name: 'webhook trigger', command: node, args: (url) => [BIN, 'trigger', 'charge.success', '--provider', 'paystack', '--fixtures', fixtures, '--to', url, '--secret', SECRET] },
    ];
    await checkSameWork([cases[2], cases[0], cases[1]], env);
    const results = await compareProcesses(cases.map((c) => ({ name: c.name, command: c.command, args: c.args(`${app.url}/webhooks`), options: { env } })), runs);
    const base = results['minimal script (node:http)'];
    const ratio = results['webhook trigger'].median / base.median;
    return {
      title,
      goal: `≤ ${GOAL}x the minimal node:http script (median wall time)`,
      note: `${runs} interleaved run${runs === 1 ? '' : 's'} of each whole process. Each reads the same ${(await paystackBody()).length}-byte body from its file, signs it with HMAC-SHA512 and POSTs it with Paystack's headers to a loopback app, checking for 200; before timing, each is run once against a recording server to check that all send identical requests.`,
      rows: Object.entries(results).map(([name, s]) => ({ name, min_ms: round(s.min, 1), median_ms: round(s.median, 1), ratio_median: round(s.median / base.median), meets_goal: name === 'webhook trigger' ? ratio <= GOAL : undefined })),
      goals: [goal('`trigger` one event vs a minimal `node:http` sign-and-send script (whole processes)', '≤', GOAL, ratio)],
    };
  } finally {
    await tmp.remove();
    await app.close();
  }
}
