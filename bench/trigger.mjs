// `webhook trigger` one event vs a minimal Node script that signs and POSTs the same body
// (goal ≤ 1.5x). Both are whole processes, started the same way, against the same server.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, ROOT, compareProcesses, round } from './lib.mjs';
import { startApp } from './servers.mjs';

export const title = 'webhook trigger: one event, whole process';

const SECRET = 'sk_test_bench_trigger';

const minimalScript = (bodyFile, url) => `
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
const body = readFileSync(${JSON.stringify(bodyFile)});
const signature = createHmac('sha512', ${JSON.stringify(SECRET)}).update(body).digest('hex');
const res = await fetch(${JSON.stringify(url)}, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-paystack-signature': signature } });
await res.text();
if (res.status !== 200) process.exit(1);
`;

/** `node`: the runtime to time (default: this one); `env`: extra environment for every process. */
export async function run({ runs = 15, node = process.execPath, env: extra = {} } = {}) {
  const app = await startApp();
  const dir = await mkdtemp(path.join(tmpdir(), 'webhook-bench-'));
  try {
    const body = path.join(dir, 'charge.success.json');
    await writeFile(body, await readFile(path.join(ROOT, 'fixtures/paystack/charge.success.json')));
    const script = path.join(dir, 'minimal.mjs');
    await writeFile(script, minimalScript(body, `${app.url}/webhooks`));
    const env = { ...process.env, NO_COLOR: '1', CI: '1', ...extra };
    const results = await compareProcesses(
      [
        { name: 'minimal script (crypto + fetch)', command: node, args: [script], options: { env } },
        { name: 'webhook trigger', command: node, args: [BIN, 'trigger', 'charge.success', '--provider', 'paystack', '--to', `${app.url}/webhooks`, '--secret', SECRET], options: { env } },
      ],
      runs,
    );
    const [base, ours] = Object.values(results);
    return {
      title,
      goal: '≤ 1.5x the minimal script',
      rows: Object.entries(results).map(([name, s]) => ({ name, min_ms: round(s.min, 1), median_ms: round(s.median, 1), ratio_median: round(s.median / base.median), meets_goal: s === base ? undefined : ours.median / base.median <= 1.5 })),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await app.close();
  }
}
