import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CliContext } from '../../context.js';
import { startDemo, type DemoSummary } from '../../demo/run.js';
import { commandPrefix } from '../../demo/invocation.js';
import { DEMO_PROVIDERS, demoOutput } from '../../reports/demo-report.js';
import type { RunningView } from '../../ui/index.js';
import type { DemoCommandOptions } from './command.js';
import { ExitCode } from '../../errors.js';

/** 9 deliveries: 8 signed correctly (1 refused by the app on purpose), 1 forged. */
const EXPECTED: DemoSummary = { deliveries: 9, verified: 8, forged: 1, rejectedByApp: 1, forwarded: 9 };
const isExpected = (s: DemoSummary) => s.deliveries === EXPECTED.deliveries && s.forwarded === EXPECTED.forwarded && s.verified === EXPECTED.verified && s.forged === EXPECTED.forged;

export async function runDemo(options: DemoCommandOptions, ctx: CliContext): Promise<number> {
  const out = ctx.sink(options);
  const interactive = ctx.mode.interactive && !out.json;
  const storeDir = options.store ? path.resolve(ctx.cwd, options.store) : await mkdtemp(path.join(tmpdir(), 'webhook-demo-'));
  const stop = new AbortController();
  ctx.signal.addEventListener('abort', () => stop.abort(), { once: true });
  const run = commandPrefix({ env: ctx.env, cwd: ctx.cwd });
  let view: RunningView | undefined;
  const output = demoOutput(out, { interactive });
  const played = (summary: DemoSummary) => ({ type: 'played', summary, ok: isExpected(summary), store: storeDir, run }) as const;
  const demo = await startDemo({ storeDir, paceMs: interactive ? 400 : 0 }, { clock: ctx.clock, signal: stop.signal, onEvent: output.render });
  let code: number;
  try {
    output.render({ type: 'started', app: demo.app.url, sandbox: demo.sandbox.url, store: storeDir, sessions: demo.sessions.map((s) => ({ localUrl: s.localUrl, publicUrl: s.publicUrl() })) });

    if (interactive) {
      const { startDeliveryView } = await import('../../ui/index.js');
      const byProvider = new Map(demo.sessions.map((s, i) => [['paykore', 'paystack', 'koard'][i]!, s]));
      view = startDeliveryView({
        feed: demo.log,
        status: { title: 'webhook demo', provider: DEMO_PROVIDERS, publicUrl: demo.paykore.publicUrl(), forwardTo: `${demo.app.url}/webhooks/<provider>`, registration: `${demo.paykore.endpointId()} (sandbox)` },
        actions: {
          async replay(id) {
            const delivery = await demo.log.load(id);
            const session = delivery && byProvider.get(delivery.request.provider);
            if (!session) return `cannot replay ${id}`;
            const { outcome } = await session.replay(id);
            return `replayed ${id} → ${outcome.status ?? outcome.answered}`;
          },
          quit: () => stop.abort(),
        },
        stdin: ctx.streams.stdin as NodeJS.ReadStream,
        stdout: ctx.streams.stdout as NodeJS.WriteStream,
        color: ctx.mode.color,
      });
      output.showIn(view);
      output.render(played(await demo.play()));
      if (!stop.signal.aborted) await once(stop.signal, 'abort');
      view.unmount();
      view = undefined;
      output.showIn(undefined);
      code = ExitCode.ok;
    } else {
      const result = played(await demo.play());
      output.render(result);
      code = result.ok ? ExitCode.ok : ExitCode.failed;
    }
  } finally {
    await demo.stop();
  }
  // Last, after the sandbox's "deleted" line: how to go on, spelled the way this run was started.
  output.render({ type: 'next', run, store: storeDir });
  return code;
}
