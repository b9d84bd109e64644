import path from 'node:path';
import { casesFor } from '../../check/cases.js';
import { probeConnection } from '../../delivery/reachable.js';
import { parseSourceAddress, sourceAddresses } from '../../delivery/source-address.js';
import { runChecks } from '../../check/run.js';
import type { CliContext } from '../../context.js';
import { ExitCode, UsageError } from '../../errors.js';
import { listEvents } from '../../payloads/events.js';
import { loadFixture } from '../../payloads/load.js';
import { parseHttpUrl } from '../../input.js';
import { checkRenderer } from '../../reports/check-report.js';
import { commandSecret } from '../../secrets.js';
import { chooseProvider } from '../options/provider.js';
import type { CheckOptions } from './command.js';

/** JSON as providers send it (no whitespace); anything else as it is. */
function compact(bytes: Uint8Array): Uint8Array {
  try {
    return Buffer.from(JSON.stringify(JSON.parse(Buffer.from(bytes).toString('utf8'))));
  } catch {
    return bytes;
  }
}

/** Run the safety cases against a handler. 0 all pass, 1 any fails, 2 bad usage or unreachable. */
export async function runCheck(options: CheckOptions, ctx: CliContext): Promise<number> {
  const { config } = await ctx.config();
  const profile = await chooseProvider(ctx, options.provider);
  const raw = options.to ?? config.forwardTo;
  if (!raw) throw new UsageError('no handler to check', { hint: 'pass --to http://localhost:3000/webhooks (or set forwardTo in the config)' });
  const url = parseHttpUrl('--to', raw);
  const secret = (await commandSecret(profile, options, ctx))!.value;
  const events = await listEvents(profile, config, ctx.cwd, options.fixtures ?? []);
  // Default: the provider's everyday success event (charge.success, transaction.completed, ...).
  const event = options.event ?? events.find((e) => /\.(success|completed|captured|succeeded)$/.test(e)) ?? events[0];
  if (options.event !== undefined && !events.includes(options.event)) {
    throw new UsageError(`no ${profile.name} fixture for "${options.event}"`, { hint: `choose one of: ${events.slice(0, 8).join(', ')}${events.length > 8 ? ', …' : ''}` });
  }
  // The valid body is compact, as providers send it; case 2 then varies only the formatting.
  const body = event
    ? async () => compact((await loadFixture({ provider: profile.name, event, fixtures: options.fixtures ?? [], config, cwd: ctx.cwd, clock: ctx.clock })).body)
    : async () => Buffer.from(JSON.stringify({ id: `evt_check_${ctx.clock.now()}`, event: 'webhook.check', type: 'webhook.check', data: { object: {} } }));
  const timeoutMs = options.timeout ?? profile.timeoutMs;
  // --from-ip: every case claims this address (or the provider's, in turn); --allowlist adds the foreign-address case.
  if (options.allowlist && options.fromIp === undefined && !profile.sourceIps?.length) {
    throw new UsageError(`--allowlist: ${profile.displayName} documents no addresses its deliveries come from`, { hint: 'add --from-ip <the address your handler allows>' });
  }
  const from = options.fromIp !== undefined ? parseSourceAddress(options.fromIp) : options.allowlist ? ({ kind: 'provider' } as const) : undefined;
  const addresses = from && sourceAddresses(from, profile);
  let sent = 0;
  const forwardedFor = addresses && (() => addresses[sent++ % addresses.length]!);

  // Unreachable before any case: a usage problem, said once. Only a TCP connect: no request
  // that is not a case reaches the handler.
  const unreachable = await probeConnection(url, Math.min(timeoutMs, 5000));
  if (unreachable) {
    throw new UsageError(unreachable.message, { hint: unreachable.kind === 'refused' ? `start your app first, or fix --to (${url})` : `fix the host in --to (${url})` });
  }

  const render = await checkRenderer(ctx.sink(options), options.junit ? { file: path.resolve(ctx.cwd, options.junit), provider: profile.name } : undefined);
  const allowedAddresses = options.allowlist ? addresses : undefined;
  render({ type: 'start', provider: profile.displayName, url: url.toString(), event, cases: casesFor(profile, { allowedAddresses }).length });
  const results = await runChecks({ profile, secret, url, event: event ?? 'webhook.check', body, timeoutMs, clock: ctx.clock, signal: ctx.signal, forwardedFor, allowedAddresses }, (result) => render({ type: 'case', result }));
  const failed = results.filter((r) => !r.passed).length;
  render({ type: 'summary', provider: profile.name, url: url.toString(), cases: results.length, passed: results.length - failed, failed });
  if (ctx.signal.aborted) return ExitCode.interrupted;
  return failed === 0 ? ExitCode.ok : ExitCode.failed;
}
