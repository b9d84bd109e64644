// `webhook replay` at CI sizes (50 and 500 fixtures, the default 4 in flight): wall time of the
// whole command against a raw keep-alive socket script doing the same work (read each fixture,
// sign it as Paystack, send it, check for 200) (goal: ≤ 1.5x); the undici Pool script as a reference.
import { goal, round, scratch, summary, timeProcess } from './lib.mjs';
import { writeBaselines, writeFixtures } from './baselines.mjs';
import { checkReplayCases, replayCases, replayEnv } from './replay.mjs';
import { startApp } from './servers.mjs';

export const title = 'Replay at CI sizes: wall time';
export const GOAL = 1.5;
const SIZES = [50, 500];
const CONCURRENCY = 4; // replay's default

export async function run({ runs, quick = false } = {}) {
  runs ??= quick ? 2 : 10;
  const tmp = await scratch('replay-ci');
  const app = await startApp();
  const env = replayEnv();
  try {
    const scripts = await writeBaselines(tmp.dir);
    await checkReplayCases(scripts, tmp.dir, CONCURRENCY, env);
    const rows = [];
    const goals = [];
    for (const size of SIZES) {
      const dir = `${tmp.dir}/run${size}`;
      const cases = replayCases(scripts, dir, await writeFixtures(dir, size), CONCURRENCY);
      const times = Object.fromEntries(cases.map((c) => [c.name, []]));
      for (let i = 0; i < runs; i++) for (const c of cases) times[c.name].push(await timeProcess(c.command, c.args(`${app.url}/webhooks`), { env }));
      const median = (name) => summary(times[name]).median;
      const base = median('minimal script (raw keep-alive sockets)');
      const ratio = median('webhook replay') / base;
      for (const c of cases) {
        const s = summary(times[c.name]);
        rows.push({ fixtures: size, name: c.name, min_ms: round(s.min, 1), median_ms: round(s.median, 1), ratio_median: round(s.median / base), meets_goal: c.name === 'webhook replay' ? ratio <= GOAL : undefined });
      }
      goals.push(goal(`\`replay\` ${size} fixtures vs a raw keep-alive socket script (read, sign, send), wall time`, '≤', GOAL, ratio));
    }
    return {
      title,
      goal: `≤ ${GOAL}x the wall time of the raw keep-alive socket script at ${SIZES.join(' and ')} fixtures`,
      note: `${runs} interleaved run${runs === 1 ? '' : 's'} of each whole process per size, ${CONCURRENCY} in flight (replay's default) for all, the same fixtures as the throughput benchmark, checked the same way to send identical requests.`,
      rows,
      goals,
    };
  } finally {
    await app.close();
    await tmp.remove();
  }
}
