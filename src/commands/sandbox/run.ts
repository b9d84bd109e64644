import { once } from 'node:events';
import type { CliContext } from '../../context.js';
import { ExitCode, UsageError } from '../../errors.js';
import { parseHttpUrl } from '../../input.js';
import type { AttemptEvent, EndpointEvent } from '../../sandbox/engine.js';
import { startSandbox } from '../../sandbox/server.js';
import { commandSecret } from '../../secrets.js';
import { chooseProvider } from '../options/provider.js';
import type { SandboxCommandOptions } from './command.js';

/** Run the sandbox until Ctrl-C or SIGTERM; a deliberate stop exits 0. */
export async function runSandbox(options: SandboxCommandOptions, ctx: CliContext): Promise<number> {
  const out = ctx.sink(options);
  let deliverAs: { profile: Awaited<ReturnType<typeof chooseProvider>>; url: string; secret: string } | undefined;
  if (options.deliverAs !== undefined) {
    const profile = await chooseProvider(ctx, options.deliverAs);
    if (profile.registration) throw new UsageError(`--deliver-as ${profile.name}: the sandbox already is ${profile.displayName}`, { hint: 'register an endpoint through its API instead (see docs/sandbox.md)' });
    const { config } = await ctx.config();
    const to = options.to ?? config.forwardTo;
    if (!to) throw new UsageError(`--deliver-as ${profile.name} needs --to <url>`, { hint: 'e.g. --to http://localhost:3000/webhooks' });
    deliverAs = { profile, url: parseHttpUrl('--to', to).toString(), secret: (await commandSecret(profile, options, ctx))!.value };
  } else if (options.to !== undefined || options.secret !== undefined || options.secretFile !== undefined) {
    throw new UsageError('--to and --secret (or --secret-file) go with --deliver-as', { hint: 'e.g. --deliver-as paystack --to http://localhost:3000/webhooks' });
  }
  const onAttempt = ({ delivery, attempt, maxAttempts }: AttemptEvent) => {
    if (out.json) {
      out.record({ type: 'attempt', delivery: delivery.id, event: delivery.event, eventId: delivery.eventId, endpoint: delivery.endpointId, url: delivery.url, attempt: attempt.attempt, maxAttempts, manual: attempt.manual === true, status: attempt.status ?? null, durationMs: attempt.durationMs, error: attempt.error ?? null, state: delivery.state, nextAttemptAt: delivery.nextAttemptAt ?? null });
      return;
    }
    const { style } = out;
    const status = attempt.status === undefined ? style.red('---') : attempt.status < 300 ? style.green(String(attempt.status)) : style.red(String(attempt.status));
    const next = delivery.state === 'retrying' && delivery.nextAttemptAt ? ` next ${delivery.nextAttemptAt}` : '';
    out.line(`${attempt.at.slice(11, 19)} ${style.bold(delivery.event)} → ${delivery.url} attempt ${attempt.attempt}/${maxAttempts}${attempt.manual ? ' (manual)' : ''} ${status} ${attempt.durationMs} ms ${delivery.state}${next}${attempt.error ? style.dim(`  ${attempt.error}`) : ''}`);
  };
  const onEndpoint = (event: EndpointEvent) => {
    if (out.json) return out.record({ type: 'endpoint', endpoint: event.endpointId, url: event.url, status: event.status, failingSince: event.failingSince, disabledAt: event.disabledAt });
    const days = event.afterMs / 86_400_000;
    out.line(
      `${event.disabledAt.slice(11, 19)} ${out.style.red('endpoint disabled')} ${event.url}: every attempt failed since ${event.failingSince} (${days >= 1 ? `${days} days` : `${Math.round(event.afterMs) / 1000} s scaled`}); enable it with POST /v1/target/enable`,
    );
  };
  const sandbox = await startSandbox(
    {
      ...(options.port !== undefined ? { port: options.port } : {}),
      timeScale: options.timeScale ?? 1,
      ...(options.timeout !== undefined ? { timeoutMs: options.timeout } : {}),
      ...(options.store !== undefined ? { storeDir: options.store } : {}),
      ...(deliverAs ? { deliverAs } : {}),
      ...(options.fixtures !== undefined ? { fixtures: [options.fixtures] } : {}),
      mode: options.mode,
      abandonAfter: options.abandonAfter,
      allowPrivate: options.allowPrivate === true,
      cwd: ctx.cwd,
    },
    { clock: ctx.clock, onAttempt, onEndpoint, onWarning: (text) => out.warn(text) },
  ).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') throw new UsageError(`port ${options.port} is already in use`, { hint: 'pick another --port, or leave it out for a free one' });
    throw error;
  });
  const { schedule } = sandbox;
  if (out.json) out.record({ type: 'ready', url: sandbox.url, deliverAs: deliverAs?.profile.name ?? null, retryMode: schedule.mode, maxAttempts: schedule.attempts, retryDelaysMs: schedule.retryDelaysMs });
  else {
    out.line(`sandbox listening on ${sandbox.url}${deliverAs ? ` (delivering as ${deliverAs.profile.displayName} to ${deliverAs.url})` : ''}`);
    out.note(`retries: ${schedule.attempts} attempts in all${schedule.mode === 'default' ? '' : ` (${schedule.mode} mode)`}, delays scaled by ${options.timeScale ?? 1}`);
    out.note(`register: curl -s ${sandbox.url}/v1/webhooks -H 'X-API-Key: sk_test_0123456789' -d '{"url":"http://localhost:3000/webhooks"}'`);
    out.note('stop with Ctrl-C');
  }
  if (!ctx.signal.aborted) await once(ctx.signal, 'abort');
  await sandbox.close();
  if (!out.json) out.note('sandbox stopped');
  return ExitCode.interrupted;
}
