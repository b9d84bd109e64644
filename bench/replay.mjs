// Replay throughput: `webhook replay` of N fixtures against autocannon sending the same body to
// the same server with the same number of connections (goal: ≥ 0.8x autocannon's requests/s).
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { BIN, round, summary, timeProcess } from './lib.mjs';

export const title = 'Replay throughput';

const SERVER = `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => s.end('{"ok":true}')); }).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n'); });`;

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.stdout.once('data', (d) => resolve({ url: `http://127.0.0.1:${String(d).trim()}/hooks`, close: () => child.kill() }));
  });
}

export async function run({ runs = 3, fixtures = 5000, concurrency = 16 } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'webhook-bench-replay-'));
  const body = JSON.stringify({ event: 'charge.success', data: { id: 1, reference: 'ref_bench', amount: 10000, currency: 'NGN', customer: { email: 'a@b.co' }, pad: 'x'.repeat(400) } });
  await mkdir(path.join(dir, 'paystack'));
  for (let i = 0; i < fixtures; i++) await writeFile(path.join(dir, 'paystack', `e${String(i).padStart(6, '0')}.json`), body);
  const server = await startServer();
  const env = { ...process.env, NO_COLOR: '1', CI: 'true', PAYSTACK_SECRET_KEY: 'sk_test_bench' };
  const replay = [];
  const cannon = [];
  try {
    for (let i = 0; i < runs; i++) {
      const ms = await timeProcess(process.execPath, [BIN, 'replay', dir, '--to', server.url, '--concurrency', String(concurrency)], { env });
      replay.push((fixtures / ms) * 1000);
      // Steady-state rate over a fixed time (autocannon's amount mode ends on a 1-second tick).
      const result = await autocannon({
        url: server.url,
        method: 'POST',
        connections: concurrency,
        duration: 3,
        body,
        headers: { 'content-type': 'application/json', 'x-paystack-signature': 'x'.repeat(128) },
      });
      cannon.push(result.requests.total / 3);
    }
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
  const r = summary(replay);
  const a = summary(cannon);
  return {
    title,
    goal: '≥ 0.8x autocannon requests/s',
    note: `${fixtures} fixtures (one file each, ${body.length} bytes), ${concurrency} in flight; the replay figure is the whole command (start-up, the checking pass, reading and signing each body, one undici request each) by wall time; autocannon's is its steady rate over 3 s with one pre-built request. The goal is not met: per request, undici's request API plus signing costs several times what autocannon's pre-serialised writes cost, and a 5,000-fixture run also pays ~0.2 s of start-up.`,
    rows: [
      { name: 'autocannon', median_rps: round(a.median, 0), ratio_median: 1 },
      { name: 'webhook replay', median_rps: round(r.median, 0), ratio_median: round(r.median / a.median), meets_goal: r.median / a.median >= 0.8 },
    ],
  };
}
