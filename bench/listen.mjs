// `webhook listen` (durable log on) vs a minimal undici passthrough proxy: throughput and added
// latency under the same autocannon load (goal ≥ 0.8x throughput); RSS after 100k deliveries.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { BIN, goal, round, summary } from './lib.mjs';
import { startApp, startLoggingProxy, startPassthroughProxy } from './servers.mjs';
import { paystackBody } from './baselines.mjs';

export const title = 'webhook listen: forwarding throughput and latency vs an undici passthrough proxy';
const SECRET = 'sk_test_bench_listen';
const CONNECTIONS = 32;
export const GOAL = 0.8;

async function startListen(target, store) {
  const child = spawn(process.execPath, [BIN, 'listen', '--forward-to', target, '--provider', 'paystack', '--secret', SECRET, '--tunnel', 'none', '--store', store, '--json'], {
    env: { ...process.env, NO_COLOR: '1', CI: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const ready = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`listen exited ${code} before ready`)));
    lines.on('line', (line) => {
      const event = JSON.parse(line);
      if (event.type === 'ready') resolve(event);
    });
  });
  lines.on('line', () => {}); // keep draining
  return {
    url: ready.localUrl,
    pid: child.pid,
    rssMiB: async () => {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
      return kb / 1024;
    },
    close: () => new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    }),
  };
}

/** User + system CPU a process has used, in µs (Linux: /proc; NaN elsewhere). */
async function cpuMicros(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime, in clock ticks (100 a second on Linux).
  return (Number(fields[11] ?? NaN) + Number(fields[12] ?? NaN)) * 10_000;
}

/** A fixed-time run (autocannon's amount mode ends on a 1-second tick, so it would round rates), or `amount` requests. */
async function load(url, body, headers, { seconds, amount }) {
  const result = await autocannon({ url: `${url}/webhooks`, method: 'POST', body, headers, connections: CONNECTIONS, ...(amount ? { amount } : { duration: seconds }) });
  return { ...result, seconds };
}

/** Quick: three 1 s runs each and no memory phase (RSS is then taken after what the runs sent). */
export async function run({ runs, quick = false } = {}) {
  runs ??= 3;
  const seconds = quick ? 1 : 5;
  const memoryDeliveries = quick ? 0 : Number(process.env.BENCH_MEMORY_DELIVERIES ?? 100_000);
  const app = await startApp();
  const store = await mkdtemp(path.join(tmpdir(), 'webhook-bench-listen-'));
  // A real delivery's body (the fixture with its templates filled): valid JSON, so listen reads its event name.
  const body = await paystackBody(0);
  const headers = { 'content-type': 'application/json', 'x-paystack-signature': createHmac('sha512', SECRET).update(body).digest('hex') };
  const proxy = await startPassthroughProxy(app.url);
  const logging = await startLoggingProxy(app.url, path.join(store, 'logging-proxy.ndjson'), SECRET);
  const listen = await startListen(app.url, store);
  try {
    // Warm both up (JIT, connection pools) before anything is recorded: a number of requests, not
    // a time, so a loaded machine does not leave either cold.
    const warmUp = quick ? 3000 : 10_000;
    for (const { url } of [proxy, logging, listen]) await load(url, body, headers, { amount: warmUp });
    let sent = warmUp;
    const base = { rps: [], p50: [], p99: [], cpu: [] };
    const reference = { rps: [], p50: [], p99: [], cpu: [] };
    const ours = { rps: [], p50: [], p99: [], cpu: [] };
    for (let i = 0; i < runs; i++) {
      for (const [{ url, pid }, into] of [[proxy, base], [logging, reference], [listen, ours]]) {
        const cpuBefore = await cpuMicros(pid);
        const r = await load(url, body, headers, { seconds });
        if (r.non2xx > 0 || r.errors > 0) throw new Error(`${r.non2xx} non-2xx answers and ${r.errors} errors from ${url}`);
        into.cpu.push(((await cpuMicros(pid)) - cpuBefore) / r.requests.total);
        into.rps.push(r.requests.total / r.seconds);
        if (into === ours) sent += r.requests.total;
        into.p50.push(r.latency.p50);
        into.p99.push(r.latency.p99);
      }
    }
    // CPU per delivery (the process's user + system time over a run, divided by its requests) is
    // steadier than requests/s on a machine shared with other work.
    const row = (name, s) => ({ name, median_rps: round(summary(s.rps).median, 0), p50_ms: summary(s.p50).median, p99_ms: summary(s.p99).median, cpu_us_per_delivery: round(summary(s.cpu).median, 1) });
    const b = row('undici passthrough proxy', base);
    const r = row('minimal logging proxy (reference)', reference);
    const o = row('webhook listen (durable log)', ours);
    // Memory: keep sending until the session holds memoryDeliveries deliveries.
    if (memoryDeliveries > sent) await load(listen.url, body, headers, { amount: memoryDeliveries - sent });
    const rss = await listen.rssMiB();
    return {
      title,
      goal: `≥ ${GOAL}x the proxy’s requests/s with the durable log on`,
      note: `${seconds} s runs (after ${warmUp.toLocaleString('en')} requests of warm-up each) at ${CONNECTIONS} connections, taking turns (proxy, logging proxy, listen), the same signed ${body.length}-byte Paystack body (the fixture with its templates filled: valid JSON, so listen reads its event name); every delivery verified, appended to the durable log twice (request before forwarding, outcome before answering) and printed as an NDJSON line; the proxy only relays. The minimal logging proxy (bench/processes/logging-proxy.mjs, a reference, not the goal's baseline) does listen's work in the fewest lines: the same verify, two group-committed records with the body as base64, forward with an undici Pool's dispatch, an NDJSON line; what that work costs on this machine. cpu_us_per_delivery: each process's user + system CPU over a run (from /proc) per request, steadier than requests/s on a shared machine (ratio_cpu: the proxy's over the row's). listen RSS after ${Math.max(sent, memoryDeliveries).toLocaleString('en')} deliveries: ${round(rss, 1)} MiB.`,
      rows: [b, { ...r, ratio_rps: round(r.median_rps / b.median_rps), ratio_cpu: round(b.cpu_us_per_delivery / r.cpu_us_per_delivery) }, { ...o, ratio_rps: round(o.median_rps / b.median_rps), ratio_cpu: round(b.cpu_us_per_delivery / o.cpu_us_per_delivery), added_p50_ms: round(o.p50_ms - b.p50_ms, 1), added_p99_ms: round(o.p99_ms - b.p99_ms, 1), meets_goal: o.median_rps / b.median_rps >= GOAL }],
      goals: [goal(`\`listen\` (durable log on) vs a minimal undici passthrough proxy, ${CONNECTIONS} connections, requests/s`, '≥', GOAL, o.median_rps / b.median_rps)],
    };
  } finally {
    await listen.close();
    await logging.close();
    await proxy.close();
    await app.close();
    await rm(store, { recursive: true, force: true });
  }
}
