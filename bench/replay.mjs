// `webhook replay` throughput vs autocannon on the same loopback server and body (goal ≥ 0.8x).
// Replay sends N fixture files (signing each); autocannon sends the same signed body N times.
import { createHmac } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { BIN, ROOT, round, summary, timeProcess } from './lib.mjs';
import { startApp } from './servers.mjs';

export const title = 'webhook replay: throughput vs autocannon';
const SECRET = 'sk_test_bench_replay';
const COUNT = 5000;
const CONCURRENCY = 32;

export async function run({ runs = 3 } = {}) {
  const app = await startApp();
  const dir = await mkdtemp(path.join(tmpdir(), 'webhook-bench-replay-'));
  try {
    const body = await readFile(path.join(ROOT, 'fixtures/paystack/charge.success.json'));
    const fixtures = path.join(dir, 'paystack');
    await mkdir(fixtures);
    for (let i = 0; i < COUNT; i++) await writeFile(path.join(fixtures, `charge.success-${String(i).padStart(5, '0')}.json`), body);
    const signature = createHmac('sha512', SECRET).update(body).digest('hex');
    const env = { ...process.env, NO_COLOR: '1', CI: '1' };
    const cannon = [];
    const replay = [];
    for (let i = 0; i < runs; i++) {
      const result = await autocannon({ url: `${app.url}/webhooks`, method: 'POST', body, headers: { 'content-type': 'application/json', 'x-paystack-signature': signature }, connections: CONCURRENCY, amount: COUNT });
      cannon.push(result.requests.total / (result.duration || 1));
      const ms = await timeProcess(process.execPath, [BIN, 'replay', fixtures, '--provider', 'paystack', '--to', `${app.url}/webhooks`, '--secret', SECRET, '--concurrency', String(CONCURRENCY)], { env });
      replay.push(COUNT / (ms / 1000));
    }
    const a = summary(cannon);
    const r = summary(replay);
    return {
      title,
      goal: '≥ 0.8x autocannon requests/s',
      note: `${COUNT} deliveries at concurrency ${CONCURRENCY}; replay's time includes process start-up, reading and signing every file.`,
      rows: [
        { name: 'autocannon (same body, pre-signed)', median_rps: round(a.median, 0), max_rps: round(Math.max(...cannon), 0) },
        { name: 'webhook replay', median_rps: round(r.median, 0), max_rps: round(Math.max(...replay), 0), ratio_median: round(r.median / a.median), meets_goal: r.median / a.median >= 0.8 },
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await app.close();
  }
}
