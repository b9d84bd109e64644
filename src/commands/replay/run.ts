import path from 'node:path';
import type { CliContext } from '../../context.js';
import { runReplay, type ReplayReporter } from '../../delivery/replay.js';
import { parseSourceAddress, sourceAddresses } from '../../delivery/source-address.js';
import { ExitCode, UsageError, WebhookError } from '../../errors.js';
import { BUILTIN_FIXTURES_DIR, eventsInDir } from '../../payloads/catalog.js';
import { parseExpectation } from '../../payloads/expect.js';
import { parseHttpUrl } from '../../input.js';
import { combineReporters, jsonReporter, junitReporter, plainReporter, progressReporter } from '../../reports/replay-report.js';
import { getProvider, providerRegistry } from '../../providers/index.js';
import type { ProviderProfile } from '../../providers/types.js';
import { resolveSecret, secretFromFlags } from '../../secrets.js';
import { templateSource } from '../options/fixture.js';
import type { ReplayOptions } from './command.js';

/** The built-in fixtures folder of a provider, for `replay --provider <name>` (no paths, or --builtin). */
async function builtinFolder(profile: ProviderProfile | undefined): Promise<string> {
  if (!profile) {
    throw new UsageError('nothing to replay: no fixture paths and no provider', {
      hint: 'pass fixture files or folders, or --provider <name> to send its built-in events (`webhook providers` lists them)',
    });
  }
  if ((await eventsInDir(BUILTIN_FIXTURES_DIR, profile.name)).length === 0) {
    throw new UsageError(`${profile.name} has no built-in events`, { hint: 'pass your own fixture files or folders; `webhook providers` shows each provider\'s event count' });
  }
  return path.join(BUILTIN_FIXTURES_DIR, profile.name);
}

/** Send a folder of fixtures to one URL (CI): exit 0 when every expectation holds, 1 when any fails. */
export async function runReplayCommand(paths: string[], options: ReplayOptions, ctx: CliContext): Promise<number> {
  const { config } = await ctx.config();
  const registry = providerRegistry(config);
  const fallback = options.provider ?? config.provider;
  const fallbackProfile = fallback ? getProvider(registry, fallback) : undefined;
  const target = options.to ?? config.forwardTo;
  if (!target) throw new UsageError('nowhere to send the fixtures', { hint: 'pass --to http://localhost:3000/webhooks, or set "forwardTo" in webhook.config.json' });
  const url = parseHttpUrl(options.to ? '--to' : 'forwardTo', target);
  const expect = options.expect !== undefined ? parseExpectation(options.expect, '--expect') : undefined;
  const sources = options.builtin || paths.length === 0 ? [...paths, await builtinFolder(fallbackProfile)] : paths;

  const providerFor = (folder: string, named: string | undefined, file: string): ProviderProfile => {
    if (named) {
      try {
        return getProvider(registry, named);
      } catch (error) {
        throw error instanceof WebhookError ? new UsageError(`${file}: ${error.message}`, { hint: error.hint }) : error;
      }
    }
    const byFolder = registry.get(folder);
    if (byFolder) return byFolder;
    if (fallbackProfile) return fallbackProfile;
    throw new UsageError(`${file}: cannot tell which provider sends it`, {
      hint: `put it in a folder named after its provider (e.g. fixtures/paystack/), pass --provider, or set "$fixture": {"provider": "..."}`,
    });
  };
  const secrets = new Map<string, string>();
  const given = await secretFromFlags(options, ctx);
  const secretFor = (profile: ProviderProfile): string => {
    let secret = secrets.get(profile.name);
    if (secret === undefined) {
      secret = resolveSecret(profile, given, ctx.env, { cwd: ctx.cwd, warn: (text) => ctx.sink({}).warn(text) })!.value;
      secrets.set(profile.name, secret);
    }
    return secret;
  };

  const from = options.fromIp === undefined ? undefined : parseSourceAddress(options.fromIp);

  // Lines and NDJSON records go out once per event-loop turn (one write for a burst of results);
  // the progress bar redraws around each failure line, so with it every line goes at once.
  const progress = !options.json && ctx.streams.stderr.isTTY === true;
  const out = ctx.sink({ ...options, batch: !progress });
  const reporters: ReplayReporter[] = [out.json ? jsonReporter(out) : progress ? progressReporter(out, ctx.streams, ctx.clock) : plainReporter(out)];
  if (options.junit) reporters.push(await junitReporter(path.resolve(ctx.cwd, options.junit)));

  const summary = await runReplay({
    paths: sources,
    cwd: ctx.cwd,
    url,
    providerFor,
    secretFor,
    sourceAddressesFor: from && ((profile: ProviderProfile) => sourceAddresses(from, profile)),
    expect,
    concurrency: options.concurrency ?? 4,
    templates: templateSource(ctx),
    clock: ctx.clock,
    signal: ctx.signal,
    reporter: combineReporters(reporters),
  }).finally(() => out.flush());
  if (summary.interrupted) return ExitCode.interrupted;
  return summary.failed === 0 ? ExitCode.ok : ExitCode.failed;
}
