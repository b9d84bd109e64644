import { once } from 'node:events';
import type { CliContext } from '../context.js';
import { ExitCode, FailureError, UsageError } from '../errors.js';
import { parseHttpUrl } from '../input.js';
import { startListen, type ListenEvent } from '../listen/listen.js';
import type { Route } from '../listen/receiver.js';
import type { OutputSink } from '../output/sink.js';
import type { ProviderProfile } from '../providers/types.js';
import { resolveSecret } from '../secrets.js';
import { resolveStoreDir } from '../store/location.js';
import { loopbackTunnel } from '../tunnel/loopback.js';
import { ngrokTunnel } from '../tunnel/ngrok.js';
import { staticTunnel, type TunnelOpener } from '../tunnel/types.js';
import { chooseProvider } from './provider-options.js';
import { registrationApi } from '../registration/api-options.js';
import { deliveryLine, deliveryJson } from '../output/delivery-line.js';

export interface ListenCommandOptions {
  forwardTo?: string | undefined;
  provider?: string | undefined;
  secret?: string | undefined;
  port?: number | undefined;
  events?: string | undefined;
  route: string[];
  tunnel?: string | undefined;
  publicUrl?: string | undefined;
  register?: boolean | undefined;
  apiBase?: string | undefined;
  timeout?: number | undefined;
  maxBody?: number | undefined;
  store?: string | undefined;
  printSecret?: boolean | undefined;
  selfCheckInterval?: number | undefined;
  giveUpAfter?: number | undefined;
  catchUp?: boolean | undefined;
  json?: boolean | undefined;
}

export function parseRoutes(flags: readonly string[], fromConfig: Readonly<Record<string, string>> = {}): Route[] {
  const routes: Route[] = [];
  for (const flag of flags) {
    const at = flag.indexOf('=');
    if (at <= 0) throw new UsageError(`--route "${flag}" is not pattern=url`, { hint: "e.g. --route 'transfer.*=http://localhost:4000/webhooks'" });
    routes.push({ pattern: flag.slice(0, at), target: parseHttpUrl('--route', flag.slice(at + 1)) });
  }
  for (const [pattern, url] of Object.entries(fromConfig)) routes.push({ pattern, target: new URL(url) });
  return routes;
}

function chooseTunnel(options: ListenCommandOptions, env: NodeJS.ProcessEnv): { opener: TunnelOpener; note?: string } {
  if (options.publicUrl !== undefined) {
    if (options.tunnel !== undefined) throw new UsageError('--public-url and --tunnel do not go together', { hint: 'with your own tunnel, pass only --public-url' });
    const url = parseHttpUrl('--public-url', options.publicUrl).toString().replace(/\/$/, '');
    return { opener: { kind: 'public-url', open: async () => staticTunnel('public-url', url) } };
  }
  const kind = options.tunnel ?? (env.NGROK_AUTHTOKEN ? 'ngrok' : 'none');
  switch (kind) {
    case 'ngrok':
      return { opener: ngrokTunnel({ authtoken: env.NGROK_AUTHTOKEN }) };
    case 'loopback':
      return { opener: loopbackTunnel() };
    case 'none':
      return {
        opener: { kind: 'none', open: async () => staticTunnel('none', undefined) },
        ...(options.tunnel === undefined ? { note: 'local only: set NGROK_AUTHTOKEN for a public ngrok URL, or pass --public-url for your own tunnel' } : {}),
      };
    default:
      throw new UsageError(`unknown --tunnel "${kind}"`, { hint: 'use ngrok, none or loopback' });
  }
}

function render(out: OutputSink, profile: ProviderProfile) {
  return (event: ListenEvent) => {
    if (out.json) {
      if (event.type === 'ready') {
        const { type, localUrl, publicUrl, endpointId, forwardTo, provider, secret, secretShown, tunnel } = event;
        out.record({ type, localUrl, publicUrl: publicUrl ?? null, endpointId: endpointId ?? null, forwardTo, provider, tunnel, ...(secretShown ? { secret } : {}) });
      } else if (event.type === 'delivery') out.record(deliveryJson(event.request, event.outcome));
      else out.record(event);
      return;
    }
    const { style } = out;
    switch (event.type) {
      case 'ready':
        out.line(`${style.green('ready')} ${profile.displayName} → ${event.forwardTo}`);
        out.line(`  local   ${event.localUrl}`);
        if (event.publicUrl) out.line(`  public  ${event.publicUrl}`);
        if (event.endpointId) out.line(`  endpoint ${event.endpointId} (deleted on exit)`);
        if (event.secret) out.line(`  secret  ${event.secret}${event.secretShown ? '' : style.dim('  (--print-secret to show)')}`);
        break;
      case 'delivery':
        out.line(deliveryLine(event.request, event.outcome, style));
        break;
      case 'registration':
        if (event.state === 'registered') out.note(`registered ${event.endpointId} for ${event.url}`);
        else if (event.state === 'deleted') out.note(`deleted endpoint ${event.endpointId}`);
        else if (event.state === 'pruned') out.note(`removed stale endpoint ${event.endpointId} (${event.reason})`);
        else if (event.state === 'updated') out.note(`endpoint now ${event.endpointId} for ${event.url}`);
        else if (event.state === 'adopted') out.note(`adopted endpoint ${event.endpointId} for ${event.url} (${event.reason})`);
        else if (event.state === 'kept') out.note(`kept endpoint ${event.endpointId} (${event.reason})`);
        else out.warn(event.reason ?? `registration ${event.state}`);
        break;
      case 'tunnel':
        out.warn(`tunnel ${event.state}${event.publicUrl ? ` ${event.publicUrl}` : ''}${event.reason ? `: ${event.reason}` : ''}`);
        break;
      case 'catch-up':
        out.note(`catch-up: asked ${profile.displayName} to retry ${event.event} (${event.delivery})`);
        break;
      case 'warning':
        out.warn(event.message);
        break;
    }
  };
}

/** Run until `q` (or Ctrl-C, a key there) in the view: exit 0, or SIGINT/SIGTERM: exit 130; either after a clean shutdown (endpoint deleted, session removed). */
export async function runListen(options: ListenCommandOptions, ctx: CliContext): Promise<number> {
  const { config } = await ctx.config();
  const profile = await chooseProvider(ctx, options.provider);
  const forwardRaw = options.forwardTo ?? config.forwardTo;
  if (!forwardRaw) throw new UsageError('no app to forward to', { hint: 'pass --forward-to http://localhost:3000/webhooks (or set forwardTo in the config)' });
  const forwardTo = parseHttpUrl('--forward-to', forwardRaw);
  const routes = parseRoutes(options.route, config.listen?.routes);
  const events = options.events?.split(',').map((e) => e.trim()).filter(Boolean) ?? config.listen?.events;
  const secret = resolveSecret(profile, options.secret, ctx.env, { required: false })?.value;
  const { opener, note } = chooseTunnel(options, ctx.env);
  const api = registrationApi(options, profile, ctx.env);
  const registration = api ? { api, events } : undefined;
  const storeDir = resolveStoreDir({ flag: options.store, env: ctx.env, configStore: config.store, cwd: ctx.cwd });
  const out = ctx.sink({ json: options.json, batch: true });
  if (note && !out.json) out.note(note);
  if (!secret && !registration && !out.json) out.note(`no ${profile.name} secret: deliveries are forwarded but not verified (pass --secret or set ${profile.secret.envVar})`);

  const interactive = ctx.mode.interactive && !out.json;
  const stop = new AbortController();
  ctx.signal.addEventListener('abort', () => stop.abort(), { once: true });
  // Before the view is up (and after), events go to the plain renderer; the view takes over while it runs.
  const plain = render(out, profile);
  let view: import('../ui/index.js').RunningView | undefined;
  const onEvent = (event: ListenEvent) => {
    if (!view) return plain(event);
    if (event.type === 'tunnel') view.setStatus({ tunnel: `${event.state}${event.reason ? ` (${event.reason})` : ''}`, ...(event.publicUrl ? { publicUrl: event.publicUrl } : {}) });
    if (event.type === 'registration') view.setStatus({ registration: `${event.endpointId ?? ''} ${event.state}`.trim() });
  };

  const session = await startListen(
    {
      profile,
      secret,
      forwardTo,
      routes,
      ...(events ? { events } : {}),
      ...(options.port ?? config.listen?.port) !== undefined ? { port: options.port ?? config.listen?.port } : {},
      ...(options.maxBody !== undefined ? { maxBodyBytes: options.maxBody } : {}),
      ...(options.timeout !== undefined ? { timeoutMs: options.timeout } : {}),
      storeDir,
      tunnel: opener,
      registration,
      printSecret: options.printSecret === true,
      ...(options.selfCheckInterval !== undefined ? { selfCheckIntervalMs: options.selfCheckInterval } : {}),
      ...(options.giveUpAfter !== undefined ? { giveUpAfterMs: options.giveUpAfter } : {}),
      catchUp: options.catchUp === true,
    },
    { clock: ctx.clock, signal: ctx.signal, onEvent },
  );
  if (interactive) {
    const { startDeliveryView } = await import('../ui/index.js');
    out.flush(); // the ready lines, above the view
    view = startDeliveryView({
      feed: session.log,
      status: {
        provider: profile.displayName,
        localUrl: session.localUrl,
        publicUrl: session.publicUrl(),
        forwardTo: forwardTo.toString(),
        registration: session.endpointId() ? `${session.endpointId()} registered` : registration ? 'not registered' : undefined,
        tunnel: opener.kind === 'none' ? undefined : 'up',
        showTargets: routes.length > 0,
      },
      actions: {
        async replay(id) {
          const { outcome } = await session.replay(id);
          return `replayed ${id} → ${outcome.status ?? outcome.error?.message ?? outcome.answered}`;
        },
        quit: () => stop.abort(),
      },
      stdin: ctx.streams.stdin as NodeJS.ReadStream,
      stdout: ctx.streams.stdout as NodeJS.WriteStream,
      color: ctx.mode.color,
    });
  }
  // Run until stopped, or until the public path broke for longer than --give-up-after.
  const gaveUp = await Promise.race([stop.signal.aborted ? undefined : once(stop.signal, 'abort').then(() => undefined), session.failed]);
  view?.unmount();
  view = undefined;
  await session.stop();
  out.flush();
  if (gaveUp !== undefined) {
    throw new FailureError(`listen stopped: ${gaveUp}`, { hint: 'check the tunnel (NGROK_AUTHTOKEN, network) or --public-url; raise --give-up-after to wait longer; a supervisor can restart listen' });
  }
  return ctx.signal.aborted ? ExitCode.interrupted : ExitCode.ok;
}
