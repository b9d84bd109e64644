import { once } from 'node:events';
import { storeDirFor } from '../options/store.js';
import { askYesNo } from '../../output/ask.js';
import { homedir, userInfo } from 'node:os';
import path from 'node:path';
import type { CliContext } from '../../context.js';
import { ExitCode, FailureError, UsageError } from '../../errors.js';
import { parseHttpUrl } from '../../input.js';
import { startListen, type ListenSession } from '../../listen/listen.js';
import type { WebhookConfig } from '../../config/schema.js';
import type { ProviderProfile } from '../../providers/types.js';
import type { RunningView } from '../../ui/index.js';
import type { Route } from '../../listen/receiver.js';
import { commandSecret } from '../../secrets.js';
import { cloudflaredTunnel } from '../../tunnel/cloudflared.js';
import { loopbackTunnel } from '../../tunnel/loopback.js';
import { ngrokTunnel } from '../../tunnel/ngrok.js';
import { parseSshTarget, sshTunnel, type SshTunnelOptions } from '../../tunnel/ssh.js';
import { staticTunnel, type TunnelOpener } from '../../tunnel/types.js';
import { chooseProvider } from '../options/provider.js';
import { endpointRegistrar } from '../options/registration.js';
import { listenOutput } from '../../reports/listen-report.js';
import type { ListenCommandOptions } from './command.js';

export function parseRoutes(flags: readonly string[], fromConfig: Readonly<Record<string, string>> = {}): Route[] {
  const routes: Route[] = [];
  for (const flag of flags) {
    const at = flag.indexOf('=');
    if (at <= 0) throw new UsageError(`--route "${flag}" is not pattern=url`, { hint: "e.g. --route 'transfer.*=http://localhost:4000/webhooks'" });
    routes.push({ pattern: flag.slice(0, at), target: parseHttpUrl('--route', flag.slice(at + 1), { write: (url) => `--route '${flag.slice(0, at)}=${url}'` }) });
  }
  for (const [pattern, url] of Object.entries(fromConfig)) routes.push({ pattern, target: new URL(url) });
  return routes;
}

function chooseTunnel(options: ListenCommandOptions, env: NodeJS.ProcessEnv, ask: SshTunnelOptions['askHostKey']): { opener: TunnelOpener; note?: string } {
  const sshTarget = options.tunnel === undefined ? undefined : parseSshTarget(options.tunnel);
  if (options.tunnel?.startsWith('ssh:') && !sshTarget) throw new UsageError(`--tunnel "${options.tunnel}" is not ssh://[user@]host[:port]`, { hint: 'e.g. --tunnel ssh://me@tunnel.example.com or --tunnel ssh://nokey@localhost.run' });
  const publicUrl = options.publicUrl === undefined ? undefined : parseHttpUrl('--public-url', options.publicUrl).toString().replace(/\/$/, '');
  if (!sshTarget && (options.remotePort !== undefined || options.sshKey !== undefined || options.sshAcceptNewHostKey)) {
    throw new UsageError('--remote-port, --ssh-key and --ssh-accept-new-host-key go with --tunnel ssh://...', { hint: 'e.g. --tunnel ssh://me@tunnel.example.com --remote-port 8080' });
  }
  if (sshTarget) {
    const home = env.HOME ?? homedir();
    return {
      opener: sshTunnel({
        target: sshTarget,
        defaultUser: env.USER ?? userInfo().username,
        remotePort: options.remotePort ?? 0,
        publicUrl,
        identityFiles: options.sshKey !== undefined ? [options.sshKey] : [path.join(home, '.ssh', 'id_ed25519'), path.join(home, '.ssh', 'id_rsa')],
        explicitKey: options.sshKey !== undefined,
        agentSocket: env.SSH_AUTH_SOCK || undefined,
        knownHostsFiles: [path.join(home, '.ssh', 'known_hosts')],
        acceptNewHostKey: options.sshAcceptNewHostKey === true,
        askHostKey: ask,
      }),
    };
  }
  if (publicUrl !== undefined) {
    if (options.tunnel !== undefined) throw new UsageError('--public-url and --tunnel do not go together (except with --tunnel ssh://...)', { hint: 'with your own tunnel, pass only --public-url' });
    return { opener: { kind: 'public-url', open: async () => staticTunnel('public-url', publicUrl, true) } };
  }
  const kind = options.tunnel ?? (env.NGROK_AUTHTOKEN || options.domain !== undefined ? 'ngrok' : 'none');
  if (options.domain !== undefined && kind !== 'ngrok') throw new UsageError('--domain goes with --tunnel ngrok', { hint: 'e.g. --tunnel ngrok --domain my-name.ngrok-free.app (your static domain in the ngrok dashboard)' });
  if (options.domain !== undefined && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i.test(options.domain)) {
    throw new UsageError(`--domain "${options.domain}" is not a host name`, { hint: 'give the domain alone, e.g. my-name.ngrok-free.app (no https://, no path)' });
  }
  switch (kind) {
    case 'ngrok':
      return { opener: ngrokTunnel({ authtoken: env.NGROK_AUTHTOKEN, domain: options.domain }) };
    case 'cloudflared':
      return { opener: cloudflaredTunnel() };
    case 'loopback':
      return { opener: loopbackTunnel() };
    case 'none':
      return {
        opener: { kind: 'none', open: async () => staticTunnel('none', undefined) },
        ...(options.tunnel === undefined ? { note: 'local only: for a public URL with no account, --tunnel cloudflared or --tunnel ssh://nokey@localhost.run; NGROK_AUTHTOKEN for ngrok; --public-url for your own (webhook listen --help lists them)' } : {}),
      };
    default:
      throw new UsageError(`unknown --tunnel "${kind}"`, { hint: 'use ngrok, cloudflared, ssh://[user@]host[:port], none or loopback (webhook listen --help says what each needs)' });
  }
}

/** On a terminal, an unknown SSH host key is asked about, as ssh does on first use. */
function askOnTerminal(ctx: CliContext): SshTunnelOptions['askHostKey'] {
  return ({ host, type, fingerprint }) => askYesNo(ctx.streams, `${host} is not a known host; its ${type} key is ${fingerprint}.\nAdd it to known_hosts and connect? (yes/no) `);
}

/** The receiver's flags (and config), as startListen takes them. */
function receiverSettings(options: ListenCommandOptions, config: WebhookConfig) {
  const port = options.port ?? config.listen?.port;
  return {
    ...(port !== undefined ? { port } : {}),
    ...(options.maxBody !== undefined ? { maxBodyBytes: options.maxBody } : {}),
    guard: {
      ...(options.maxInFlight !== undefined ? { maxInFlightBytes: options.maxInFlight } : {}),
      ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {}),
      verifiedOnly: options.verifiedOnly === true,
      anyMethod: options.anyMethod === true,
    },
    ...(options.timeout !== undefined ? { timeoutMs: options.timeout } : {}),
  };
}

/** The session's own flags: the secret shown, the self-check, keeping the endpoint. */
function sessionSettings(options: ListenCommandOptions) {
  return {
    printSecret: options.printSecret === true,
    ...(options.selfCheckInterval !== undefined ? { selfCheckIntervalMs: options.selfCheckInterval } : {}),
    ...(options.giveUpAfter !== undefined ? { giveUpAfterMs: options.giveUpAfter } : {}),
    catchUp: options.catchUp === true,
    keepEndpoint: options.keepEndpoint === true,
  };
}

/** The interactive view over the session's log (Ink loads only here). */
async function openView(session: ListenSession, at: { profile: ProviderProfile; forwardTo: URL; routed: boolean; registering: boolean; tunnelKind: string; quit: () => void }, ctx: CliContext): Promise<RunningView> {
  const { startDeliveryView } = await import('../../ui/index.js');
  return startDeliveryView({
    feed: session.log,
    status: {
      provider: at.profile.displayName,
      localUrl: session.localUrl,
      publicUrl: session.publicUrl(),
      forwardTo: at.forwardTo.toString(),
      registration: session.endpointId() ? `${session.endpointId()} registered` : at.registering ? 'not registered' : undefined,
      tunnel: at.tunnelKind === 'none' ? undefined : 'up',
      showTargets: at.routed,
    },
    actions: {
      async replay(id) {
        const { outcome } = await session.replay(id);
        return `replayed ${id} → ${outcome.status ?? outcome.error?.message ?? outcome.answered}`;
      },
      quit: at.quit,
    },
    stdin: ctx.streams.stdin as NodeJS.ReadStream,
    stdout: ctx.streams.stdout as NodeJS.WriteStream,
    color: ctx.mode.color,
  });
}

/** Run until `q` (or Ctrl-C, a key there) in the view: exit 0, or SIGINT/SIGTERM: exit 130; either after a clean shutdown (endpoint deleted, session removed). */
export async function runListen(options: ListenCommandOptions, ctx: CliContext): Promise<number> {
  const { config } = await ctx.config();
  const profile = await chooseProvider(ctx, options.provider);
  const forwardRaw = options.forwardTo ?? config.forwardTo;
  if (!forwardRaw) throw new UsageError('no app to forward to', { hint: 'pass --forward-to http://localhost:3000/webhooks (or set forwardTo in the config)' });
  const forwardTo = parseHttpUrl('--forward-to', forwardRaw);
  const routes = parseRoutes(options.route ?? [], config.listen?.routes);
  const events = options.events?.split(',').map((e) => e.trim()).filter(Boolean) ?? config.listen?.events;
  const secret = (await commandSecret(profile, options, ctx, { required: false }))?.value;
  const { opener, note } = chooseTunnel(options, ctx.env, ctx.mode.interactive ? askOnTerminal(ctx) : undefined);
  const registration = await endpointRegistrar(options, profile, ctx.env, events);
  const storeDir = await storeDirFor(ctx, options.store);
  const out = ctx.sink({ json: options.json, batch: true });
  // Before the view is up (and after), events are printed; the view takes them over while it runs.
  const output = listenOutput(out, { provider: profile.displayName });
  if (note) output.render({ type: 'note', text: note });
  if (!secret && !registration) output.render({ type: 'unverified', provider: profile.name, envVar: profile.secret.envVar });

  const interactive = ctx.mode.interactive && !out.json;
  const stop = new AbortController();
  ctx.signal.addEventListener('abort', () => stop.abort(), { once: true });
  let view: RunningView | undefined;

  const session = await startListen({ ...receiverSettings(options, config), profile, secret, forwardTo, routes, ...(events ? { events } : {}), ...sessionSettings(options), storeDir, tunnel: opener, registration }, { clock: ctx.clock, signal: ctx.signal, onEvent: output.render });
  if (interactive) {
    out.flush(); // the ready lines, above the view
    view = await openView(session, { profile, forwardTo, routed: routes.length > 0, registering: registration !== undefined, tunnelKind: opener.kind, quit: () => stop.abort() }, ctx);
    output.showIn(view);
  }
  // Run until stopped, or until the public path broke for longer than --give-up-after.
  const gaveUp = await Promise.race([stop.signal.aborted ? undefined : once(stop.signal, 'abort').then(() => undefined), session.failed]);
  view?.unmount();
  view = undefined;
  output.showIn(undefined);
  await session.stop();
  out.flush();
  if (gaveUp !== undefined) {
    throw new FailureError(`listen stopped: ${gaveUp}`, { hint: 'check the tunnel (NGROK_AUTHTOKEN, network) or --public-url; raise --give-up-after to wait longer; a supervisor can restart listen' });
  }
  return ctx.signal.aborted ? ExitCode.interrupted : ExitCode.ok;
}
