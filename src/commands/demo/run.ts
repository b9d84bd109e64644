import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CliContext } from '../../context.js';
import { startDemo, type DemoSummary } from '../../demo/run.js';
import type { ListenEvent } from '../../listen/events.js';
import { commandPrefix } from '../../demo/invocation.js';
import { listenOutput } from '../../output/listen-report.js';
import type { RunningView } from '../../ui/index.js';

export interface DemoCommandOptions {
  store?: string | undefined;
  json?: boolean | undefined;
}

/** 9 deliveries: 8 signed correctly (1 refused by the app on purpose), 1 forged. */
/** The demo's sessions, as the view's header names them. */
const PROVIDERS = 'PayKore (sandbox) · Paystack · Koard';

const EXPECTED: DemoSummary = { deliveries: 9, verified: 8, forged: 1, rejectedByApp: 1, forwarded: 9 };

export async function runDemo(options: DemoCommandOptions, ctx: CliContext): Promise<number> {
  const out = ctx.sink(options);
  const interactive = ctx.mode.interactive && !out.json;
  const storeDir = options.store ? path.resolve(ctx.cwd, options.store) : await mkdtemp(path.join(tmpdir(), 'webhook-demo-'));
  const stop = new AbortController();
  ctx.signal.addEventListener('abort', () => stop.abort(), { once: true });
  const run = commandPrefix({ env: ctx.env, cwd: ctx.cwd });
  let view: RunningView | undefined;
  // The sessions' events, drawn by listen's renderers (a provider column: three share the output).
  // Each session's own ready and tunnel lines are not the demo's; its NDJSON is its ready record,
  // the deliveries and its summary.
  const output = listenOutput(out, { provider: PROVIDERS, providerColumn: true });
  const onEvent = (event: ListenEvent) => {
    if (event.type === 'ready' || event.type === 'tunnel' || (out.json && event.type !== 'delivery')) return;
    output.render(event);
  };
  const demo = await startDemo({ storeDir, paceMs: interactive ? 400 : 0 }, { clock: ctx.clock, signal: stop.signal, onEvent });
  let code: number;
  try {
    if (out.json) out.record({ type: 'ready', app: demo.app.url, sandbox: demo.sandbox.url, store: storeDir, sessions: demo.sessions.map((s) => ({ localUrl: s.localUrl, publicUrl: s.publicUrl() ?? null })) });
    else if (!interactive) out.note(`demo app ${demo.app.url}, PayKore sandbox ${demo.sandbox.url}, log ${storeDir}`);

    if (interactive) {
      const { startDeliveryView } = await import('../../ui/index.js');
      const byProvider = new Map(demo.sessions.map((s, i) => [['paykore', 'paystack', 'koard'][i]!, s]));
      view = startDeliveryView({
        feed: demo.log,
        status: { title: 'webhook demo', provider: PROVIDERS, publicUrl: demo.paykore.publicUrl(), forwardTo: `${demo.app.url}/webhooks/<provider>`, registration: `${demo.paykore.endpointId()} (sandbox)` },
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
      await demo.play();
      view.setStatus({ note: `done · in another terminal: WEBHOOK_STORE=${storeDir} ${run} trigger kyc.verified` });
      if (!stop.signal.aborted) await once(stop.signal, 'abort');
      view.unmount();
      view = undefined;
      output.showIn(undefined);
      code = 0;
    } else {
      const summary = await demo.play();
      const ok = summary.deliveries === EXPECTED.deliveries && summary.forwarded === EXPECTED.forwarded && summary.verified === EXPECTED.verified && summary.forged === EXPECTED.forged;
      if (out.json) out.record({ type: 'summary', ...summary, ok });
      else {
        out.line('');
        out.line(`${ok ? out.style.green('demo ok') : out.style.red('demo failed')}: ${summary.deliveries} deliveries, ${summary.verified} verified, ${summary.forged} forged (flagged ✗), ${summary.rejectedByApp} refused by the app on purpose, ${summary.forwarded} forwarded and logged`);
      }
      code = ok ? 0 : 1;
    }
  } finally {
    await demo.stop();
  }
  // Last, after the sandbox's "deleted" line: how to go on, spelled the way this run was started.
  if (!out.json) out.line(`next: ${run} log --store ${storeDir}   ·   ${run} listen --help   ·   docs/ in the package`);
  return code;
}
