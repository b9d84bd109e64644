import { storeDirFor } from '../options/store.js';
import { printable } from '../../output/printable.js';
import type { CliContext } from '../../context.js';
import { triggerEvent, type TriggerTarget } from '../../delivery/trigger.js';
import type { DeliveryOutcome } from '../../send-outcome.js';
import { parseSourceAddress, sourceAddresses } from '../../delivery/source-address.js';
import { ExitCode, UsageError } from '../../errors.js';
import { readFixtureFile, type LoadedFixture } from '../../payloads/load.js';
import { resolveEvent } from '../../payloads/resolve.js';
import { parseHttpUrl } from '../../input.js';
import { findSession, invalidSessionNote } from '../../listen/session.js';
import type { SessionInfo } from '../../session-protocol.js';
import type { OutputSink } from '../../output/sink.js';
import { commandSecret } from '../../secrets.js';
import { fixtureOverrides, templateSource } from '../options/fixture.js';
import type { TriggerOptions } from './command.js';

/** One line per delivery: mark, status, provider and event, target, latency, id; the answer's excerpt below. */
export function renderOutcome(out: OutputSink, outcome: DeliveryOutcome): void {
  if (out.json) {
    const { bodyExcerpt: _excerpt, ...rest } = outcome;
    out.record({ ...rest, status: outcome.status ?? null });
    return;
  }
  const { style } = out;
  // The event, the ids, the session's and the app's words come from outside: escaped.
  const event = printable(outcome.event);
  const id = printable(outcome.id);
  if (outcome.skipped !== undefined) {
    out.line(`${style.yellow('–')} ${style.yellow('skipped')} ${outcome.provider} ${style.bold(event)} → ${outcome.url}${id ? style.dim(`  ${id}`) : ''}`);
    out.line(`  ${style.yellow(`not forwarded: ${printable(outcome.skipped)}`)}`);
    return;
  }
  const mark = outcome.ok ? style.green('✓') : style.red('✗');
  const status = outcome.status === undefined ? style.red('---') : outcome.ok ? style.green(String(outcome.status)) : style.red(String(outcome.status));
  const messageId = outcome.messageId !== undefined && outcome.messageId !== outcome.id ? ` (${printable(outcome.messageId)})` : '';
  out.line(`${mark} ${status} ${outcome.provider} ${style.bold(event)} → ${outcome.url}  ${outcome.durationMs} ms${id ? style.dim(`  ${id}${messageId}`) : ''}`);
  if (outcome.error) out.line(`  ${style.red(printable(outcome.error.message))}`);
  if (outcome.bodyExcerpt) out.line(`  ${style.dim(printable(outcome.bodyExcerpt))}`);
}

/** Send one event as its provider would: to --to, a running listen session, or config forwardTo. */
export async function runTrigger(event: string, options: TriggerOptions, ctx: CliContext): Promise<number> {
  const { config } = await ctx.config();
  const storeDir = await storeDirFor(ctx, options.store);
  const lookup = options.to === undefined || (!options.provider && !config.provider) ? await findSession(storeDir) : {};
  const session = lookup.live;
  if (lookup.invalid !== undefined) ctx.sink(options).warn(invalidSessionNote(storeDir, lookup.invalid));
  const choice = await resolveEvent({ event, provider: options.provider ?? config.provider ?? session?.provider, config, cwd: ctx.cwd, fixtures: options.fixtures ?? [], labelOnly: options.bodyFile !== undefined });
  const overrides = await fixtureOverrides(options);
  if (!choice.file && overrides.body === undefined) {
    throw new UsageError(`${choice.profile.name} event "${event}" has no fixture file`, { hint: `write <your fixtures dir>/${choice.profile.name}/${event}.json, or send bytes with --body-file` });
  }

  let target: TriggerTarget;
  if (options.to !== undefined) {
    target = { kind: 'url', url: parseHttpUrl('--to', options.to), secret: (await commandSecret(choice.profile, options, ctx))!.value };
  } else if (session) {
    if (session.provider !== choice.profile.name) {
      throw new UsageError(`the running listen session is for ${session.provider}, not ${choice.profile.name}`, {
        hint: `send straight to your app with --to <url>, or trigger a ${session.provider} event`,
      });
    }
    target = { kind: 'session', session };
  } else if (config.forwardTo) {
    target = { kind: 'url', url: parseHttpUrl('forwardTo', config.forwardTo), secret: (await commandSecret(choice.profile, options, ctx))!.value };
    if (lookup.gone) ctx.sink(options).warn(`${sessionGone(lookup.gone)}; sending straight to forwardTo ${config.forwardTo}`);
  } else if (lookup.gone) {
    throw new UsageError(sessionGone(lookup.gone), { hint: 'start `webhook listen` again, or send straight to your app with --to http://localhost:3000/webhooks' });
  } else {
    throw new UsageError('nowhere to send the event', { hint: 'pass --to http://localhost:3000/webhooks, start `webhook listen` in another terminal, or set "forwardTo" in webhook.config.json' });
  }

  const from = options.fromIp === undefined ? undefined : parseSourceAddress(options.fromIp);
  if (from && target.kind === 'session') {
    throw new UsageError('--from-ip goes with --to: a running listen session names the real sender in X-Forwarded-For itself', { hint: 'send straight to your app with --to <url> --from-ip provider' });
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
    sourceAddresses: from && sourceAddresses(from, choice.profile),
    clock: ctx.clock,
    signal: ctx.signal,
    onDelivery: (outcome) => renderOutcome(out, outcome),
  });
  const skipped = outcomes.filter((o) => o.skipped !== undefined);
  if (skipped.length > 0 && target.kind === 'session') {
    const only = target.session.events?.length ? ` forwards only --events ${target.session.events.join(',')}` : ' did not forward it';
    out.note(`the running listen session (pid ${target.session.pid})${only}: ${event} was answered 200 and logged there, but not sent to your app; restart listen with ${event} in --events (or without --events), or send straight to your app with --to <url>`);
  }
  if (ctx.signal.aborted) return ExitCode.interrupted;
  // An event the session filters out is reported, not failed: the provider would get a 200 too.
  return outcomes.every((o) => o.ok || o.skipped !== undefined) ? ExitCode.ok : ExitCode.failed;
}

/** Why the store's session cannot take the event: its listen stopped without cleaning up. */
function sessionGone(info: SessionInfo): string {
  return `the listen session (pid ${info.pid}, started ${info.startedAt}) is gone: it stopped without cleaning up (killed?); its stale session file was removed`;
}
