import path from 'node:path';
import type { CliContext } from '../context.js';
import { triggerEvent, type DeliveryOutcome, type TriggerTarget } from '../delivery/trigger.js';
import { UsageError } from '../errors.js';
import { readFixtureFile, type LoadedFixture } from '../fixtures/load.js';
import { resolveEvent } from '../fixtures/resolve.js';
import { parseHttpUrl } from '../input.js';
import { readSession } from '../listen/session.js';
import type { OutputSink } from '../output/sink.js';
import { resolveSecret } from '../secrets.js';
import { resolveStoreDir } from '../store/location.js';
import { fixtureOverrides, templateSource, type FixtureFlags } from './fixture-options.js';

export interface TriggerOptions extends FixtureFlags {
  provider?: string | undefined;
  to?: string | undefined;
  secret?: string | undefined;
  count?: number | undefined;
  duplicate?: boolean | undefined;
  store?: string | undefined;
  json?: boolean | undefined;
}

/** One line per delivery: mark, status, provider and event, target, latency, id; the answer's excerpt below. */
export function renderOutcome(out: OutputSink, outcome: DeliveryOutcome): void {
  if (out.json) {
    const { bodyExcerpt: _excerpt, ...rest } = outcome;
    out.record({ ...rest, status: outcome.status ?? null });
    return;
  }
  const { style } = out;
  const mark = outcome.ok ? style.green('✓') : style.red('✗');
  const status = outcome.status === undefined ? style.red('---') : outcome.ok ? style.green(String(outcome.status)) : style.red(String(outcome.status));
  const messageId = outcome.messageId !== undefined && outcome.messageId !== outcome.id ? ` (${outcome.messageId})` : '';
  out.line(`${mark} ${status} ${outcome.provider} ${style.bold(outcome.event)} → ${outcome.url}  ${outcome.durationMs} ms${outcome.id ? style.dim(`  ${outcome.id}${messageId}`) : ''}`);
  if (outcome.error) out.line(`  ${style.red(outcome.error.message)}`);
  if (outcome.bodyExcerpt) out.line(`  ${style.dim(outcome.bodyExcerpt)}`);
}

/** Send one event as its provider would: to --to, a running listen session, or config forwardTo. */
export async function runTrigger(event: string, options: TriggerOptions, ctx: CliContext): Promise<number> {
  const { config, filepath } = await ctx.config();
  const storeDir = resolveStoreDir({ flag: options.store, env: ctx.env, configStore: config.store, cwd: filepath ? path.dirname(filepath) : ctx.cwd });
  const session = options.to === undefined || (!options.provider && !config.provider) ? await readSession(storeDir) : undefined;
  const choice = await resolveEvent({ event, provider: options.provider ?? config.provider ?? session?.provider, config, cwd: ctx.cwd, fixtures: options.fixtures ?? [], labelOnly: options.bodyFile !== undefined });
  const overrides = await fixtureOverrides(options);
  if (!choice.file && overrides.body === undefined) {
    throw new UsageError(`${choice.profile.name} event "${event}" has no fixture file`, { hint: `write <your fixtures dir>/${choice.profile.name}/${event}.json, or send bytes with --body-file` });
  }

  let target: TriggerTarget;
  if (options.to !== undefined) {
    target = { kind: 'url', url: parseHttpUrl('--to', options.to), secret: resolveSecret(choice.profile, options.secret, ctx.env)!.value };
  } else if (session) {
    if (session.provider !== choice.profile.name) {
      throw new UsageError(`the running listen session is for ${session.provider}, not ${choice.profile.name}`, {
        hint: `send straight to your app with --to <url>, or trigger a ${session.provider} event`,
      });
    }
    target = { kind: 'session', session };
  } else if (config.forwardTo) {
    target = { kind: 'url', url: parseHttpUrl('forwardTo', config.forwardTo), secret: resolveSecret(choice.profile, options.secret, ctx.env)!.value };
  } else {
    throw new UsageError('nowhere to send the event', { hint: 'pass --to http://localhost:3000/webhooks, start `webhook listen` in another terminal, or set "forwardTo" in webhook.config.json' });
  }

  const source = templateSource(ctx);
  const load = (): Promise<LoadedFixture> =>
    choice.file ? readFixtureFile(choice.file, source, overrides) : Promise.resolve({ file: '', event, meta: {}, body: overrides.body! });
  const out = ctx.sink(options);
  const outcomes = await triggerEvent({
    profile: choice.profile,
    event,
    load,
    target,
    count: options.count ?? (options.duplicate ? 2 : 1),
    duplicate: options.duplicate === true,
    clock: ctx.clock,
    signal: ctx.signal,
    onDelivery: (outcome) => renderOutcome(out, outcome),
  });
  if (ctx.signal.aborted) return 130;
  return outcomes.every((o) => o.ok) ? 0 : 1;
}
