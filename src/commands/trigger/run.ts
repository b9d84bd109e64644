import { storeDirFor } from '../options/store.js';
import type { CliContext } from '../../context.js';
import { triggerEvent, type TriggerTarget } from '../../delivery/trigger.js';
import { parseSourceAddress, sourceAddresses } from '../../delivery/source-address.js';
import { ExitCode, UsageError } from '../../errors.js';
import { readFixtureFile, type LoadedFixture } from '../../payloads/load.js';
import { resolveEvent } from '../../payloads/resolve.js';
import { parseHttpUrl } from '../../input.js';
import type { SessionLookup } from '../../listen/session.js';
import type { SessionInfo } from '../../session-protocol.js';
import { triggerRenderer } from '../../reports/trigger-report.js';
import { commandSecret } from '../../secrets.js';
import { fixtureOverrides, templateSource } from '../options/fixture.js';
import type { TriggerOptions } from './command.js';

/** Send one event as its provider would: to --to, a running listen session, or config forwardTo. */
export async function runTrigger(event: string, options: TriggerOptions, ctx: CliContext): Promise<number> {
  const { config } = await ctx.config();
  const lookup: SessionLookup & { note?: string } = options.to === undefined || (!options.provider && !config.provider) ? await lookUpSession(ctx, options.store) : {};
  const session = lookup.live;
  const render = triggerRenderer(ctx.sink(options));
  if (lookup.note !== undefined) render({ type: 'warning', message: lookup.note });
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
    if (lookup.gone) render({ type: 'warning', message: `${sessionGone(lookup.gone)}; sending straight to forwardTo ${config.forwardTo}` });
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
    onDelivery: (outcome) => render({ type: 'delivery', outcome }),
  });
  const skipped = outcomes.filter((o) => o.skipped !== undefined);
  if (skipped.length > 0 && target.kind === 'session') render({ type: 'not-forwarded', event, pid: target.session.pid, events: target.session.events });
  if (ctx.signal.aborted) return ExitCode.interrupted;
  // An event the session filters out is reported, not failed: the provider would get a 200 too.
  return outcomes.every((o) => o.ok || o.skipped !== undefined) ? ExitCode.ok : ExitCode.failed;
}

/**
 * The store's listen session, with the note that reports an unreadable session file. Its module
 * loads only here: an event sent straight to a URL with a known provider never asks a session.
 */
async function lookUpSession(ctx: CliContext, store: string | undefined): Promise<SessionLookup & { note?: string }> {
  const storeDir = await storeDirFor(ctx, store);
  const { findSession, invalidSessionNote } = await import('../../listen/session.js');
  const lookup = await findSession(storeDir);
  return lookup.invalid === undefined ? lookup : { ...lookup, note: invalidSessionNote(storeDir, lookup.invalid) };
}

/** Why the store's session cannot take the event: its listen stopped without cleaning up. */
function sessionGone(info: SessionInfo): string {
  return `the listen session (pid ${info.pid}, started ${info.startedAt}) is gone: it stopped without cleaning up (killed?); its stale session file was removed`;
}
