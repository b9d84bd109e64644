import { once } from 'node:events';
import type { CliContext } from '../../context.js';
import { ExitCode, UsageError } from '../../errors.js';
import { parseHttpUrl } from '../../input.js';
import { sandboxRenderer } from '../../reports/sandbox-report.js';
import { startSandbox } from '../../sandbox/server.js';
import { commandSecret } from '../../secrets.js';
import { chooseProvider } from '../options/provider.js';
import type { SandboxCommandOptions } from './command.js';

/** Run the sandbox until Ctrl-C or SIGTERM; a deliberate stop exits 0. */
export async function runSandbox(options: SandboxCommandOptions, ctx: CliContext): Promise<number> {
  const render = sandboxRenderer(ctx.sink(options));
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
    { clock: ctx.clock, onAttempt: (event) => render({ type: 'attempt', ...event }), onEndpoint: (event) => render({ type: 'endpoint', ...event }), onWarning: (message) => render({ type: 'warning', message }) },
  ).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') throw new UsageError(`port ${options.port} is already in use`, { hint: 'pick another --port, or leave it out for a free one' });
    throw error;
  });
  render({ type: 'ready', url: sandbox.url, deliverAs: deliverAs && { name: deliverAs.profile.name, displayName: deliverAs.profile.displayName, url: deliverAs.url }, schedule: sandbox.schedule, timeScale: options.timeScale ?? 1 });
  if (!ctx.signal.aborted) await once(ctx.signal, 'abort');
  await sandbox.close();
  render({ type: 'stopped' });
  return ExitCode.interrupted;
}
