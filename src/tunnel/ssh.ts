import { readFile } from 'node:fs/promises';
import { connect as connectTcp } from 'node:net';
import type { AnyAuthMethod, Client, ClientChannel, ConnectConfig } from 'ssh2';
import { FailureError, UsageError } from '../errors.js';
import { addHostKey, checkHostKey, knownHostsName, knownKeyTypes, type HostKeyVerdict } from './known-hosts.js';
import { tunnelListeners, type Tunnel, type TunnelOpener } from './types.js';

/** Where an SSH tunnel goes: `ssh://[user@]host[:port]`. */
interface SshTarget {
  readonly user: string | undefined;
  readonly host: string;
  readonly port: number;
}

/** Parse `ssh://[user@]host[:port]`; undefined when the text is not an ssh:// URL. */
export function parseSshTarget(text: string): SshTarget | undefined {
  if (!text.startsWith('ssh://')) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (!url.hostname || (url.pathname !== '' && url.pathname !== '/') || url.search || url.hash || url.password) return undefined;
  return { user: url.username ? decodeURIComponent(url.username) : undefined, host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port ? Number(url.port) : 22 };
}

export interface SshTunnelOptions {
  readonly target: SshTarget;
  /** Login name when the target names none. */
  readonly defaultUser: string;
  /** The port to ask the server to listen on; 0: the server picks one. */
  readonly remotePort: number;
  /** The URL providers deliver to, when the server sits behind a proxy of one's own (--public-url). */
  readonly publicUrl?: string | undefined;
  /** Private key files to try, in order (--ssh-key, else ~/.ssh/id_ed25519 and id_rsa); missing ones are skipped unless `explicitKey`. */
  readonly identityFiles: readonly string[];
  /** The key file was named by the user (--ssh-key): unreadable or encrypted is an error. */
  readonly explicitKey?: boolean;
  /** The SSH agent's socket (SSH_AUTH_SOCK). */
  readonly agentSocket?: string | undefined;
  /** known_hosts files checked; the first is where accepted keys are added. */
  readonly knownHostsFiles: readonly string[];
  /** Add an unknown host's key to known_hosts and go on (--ssh-accept-new-host-key); a changed key is still refused. */
  readonly acceptNewHostKey?: boolean;
  /** Ask the user about an unknown host key (a terminal); without it an unknown host is refused. */
  readonly askHostKey?: ((question: { host: string; type: string; fingerprint: string }) => Promise<boolean>) | undefined;
  /** How long to wait for the server to print a public URL after connecting (default 5 s). */
  readonly urlWaitMs?: number;
  /** Connection and handshake bound (default 15 s). */
  readonly connectTimeoutMs?: number;
}

const URL_IN_TEXT = /https:\/\/[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::\d+)?(?:\/[^\s"'<>]*)?/;
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** The first https URL in text a tunnel service printed (localhost.run, pinggy style), without colour codes. */
function publicUrlIn(text: string): string | undefined {
  return URL_IN_TEXT.exec(text.replace(ANSI, ''))?.[0]?.replace(/[.,;)]+$/, '');
}

/** The host key algorithms OpenSSH would name for key types known_hosts holds (it prefers those). */
const ALGORITHMS_FOR: Readonly<Record<string, readonly ConnectAlgorithm[]>> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};
type ConnectAlgorithm = 'ssh-ed25519' | 'ecdsa-sha2-nistp256' | 'ecdsa-sha2-nistp384' | 'ecdsa-sha2-nistp521' | 'rsa-sha2-512' | 'rsa-sha2-256' | 'ssh-rsa';

async function authMethods(options: SshTunnelOptions, username: string): Promise<AnyAuthMethod[]> {
  const { utils } = (await import('ssh2')).default; // CommonJS: `utils` is on the default export only
  const methods: AnyAuthMethod[] = [{ type: 'none', username }];
  if (options.agentSocket) methods.push({ type: 'agent', username, agent: options.agentSocket });
  for (const file of options.identityFiles) {
    const key = await readFile(file).catch((error: NodeJS.ErrnoException) => {
      if (options.explicitKey) throw new UsageError(`cannot read --ssh-key ${file}: ${error.code ?? error.message}`, { hint: 'name a private key file (e.g. ~/.ssh/id_ed25519), or leave --ssh-key out to use the SSH agent' });
      return undefined;
    });
    if (!key) continue;
    const parsed = utils.parseKey(key);
    if (parsed instanceof Error) {
      if (options.explicitKey) throw new UsageError(`cannot use --ssh-key ${file}: ${parsed.message}`, { hint: 'a key with a passphrase works through the SSH agent: ssh-add the key, then leave --ssh-key out' });
      continue;
    }
    methods.push({ type: 'publickey', username, key });
  }
  return methods;
}

/** Checks the server's host key against known_hosts (adding a new one when allowed); remembers why it refused. */
function hostKeyVerifier(options: SshTunnelOptions, host: string, port: number) {
  let problem: UsageError | undefined;
  const name = knownHostsName(host, port);
  const verify = async (blob: Buffer): Promise<boolean> => {
    const verdict: HostKeyVerdict = await checkHostKey(options.knownHostsFiles, host, port, blob);
    if (verdict.state === 'known') return true;
    const { createHash } = await import('node:crypto');
    const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
    const file = options.knownHostsFiles[0] ?? '~/.ssh/known_hosts';
    if (verdict.state === 'revoked') {
      problem = new UsageError(`the host key of ${name} is marked @revoked in known_hosts (line ${verdict.line})`, { hint: 'ask the server admin for its current key' });
      return false;
    }
    if (verdict.state === 'changed') {
      problem = new UsageError(`the ${verdict.type} host key of ${name} is not the one in ${file} (line ${verdict.line}): it changed, or someone is in between (${fingerprint})`, {
        hint: `if the server's key really changed: ssh-keygen -R '${name}', then connect again`,
      });
      return false;
    }
    if (options.acceptNewHostKey || (options.askHostKey && (await options.askHostKey({ host: name, type: verdict.type, fingerprint })))) {
      await addHostKey(file, host, port, blob);
      return true;
    }
    problem = new UsageError(`${name} is not in ${file} (its ${verdict.type} key is ${fingerprint})`, {
      hint: `check the fingerprint, then add it with: ssh-keyscan${port === 22 ? '' : ` -p ${port}`} ${host} >> ${file}  (or pass --ssh-accept-new-host-key to add it on first use)`,
    });
    return false;
  };
  return { verify, problem: () => problem };
}

/** Connect and authenticate; a refused host key, an abort or a failed handshake each get their own error. */
async function handshake(conn: Client, config: ConnectConfig, signal: AbortSignal, where: string, hostKeyProblem: () => UsageError | undefined): Promise<void> {
  const onAbort = () => conn.end();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      conn.once('ready', () => resolve());
      conn.once('error', reject);
      conn.once('close', () => reject(new Error('the connection closed during the handshake')));
      conn.connect(config);
    });
  } catch (error) {
    conn.end();
    const refused = hostKeyProblem();
    if (refused) throw refused;
    if (signal.aborted) throw new FailureError('interrupted while opening the SSH tunnel');
    const message = (error as Error).message;
    throw new FailureError(`cannot open the SSH tunnel to ${where}: ${message}`, {
      hint: /authentication/i.test(message)
        ? 'load your key into the SSH agent (ssh-add), or name it with --ssh-key; the server must list its public key in authorized_keys'
        : 'check the host and port (ssh -p PORT user@host works?), or pick another --tunnel',
    });
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  conn.removeAllListeners('close');
  conn.removeAllListeners('error');
}

/** Each connection the server accepts on the remote port comes back here: relay it to the receiver. */
function relayToLocal(conn: Client, localPort: number): void {
  conn.on('tcp connection', (_info, accept) => {
    const stream = accept();
    const socket = connectTcp(localPort, '127.0.0.1');
    stream.pipe(socket).pipe(stream);
    const drop = () => {
      socket.destroy();
      stream.destroy();
    };
    socket.on('error', drop);
    stream.on('error', drop);
    socket.on('close', () => stream.end());
  });
}

/** Ask the server to listen on the remote port (`ssh -R`); the port it bound. */
function forwardRemotePort(conn: Client, remotePort: number, where: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    conn.forwardIn('localhost', remotePort, (error, bound) => (error ? reject(error) : resolve(bound || remotePort)));
  }).catch((error: Error) => {
    conn.end();
    throw new FailureError(`${where} refused to listen on remote port ${remotePort || '(any)'}: ${error.message}`, {
      hint: 'the server needs AllowTcpForwarding yes (or remote) in sshd_config; a port below 1024 needs root there; try another --remote-port',
    });
  });
}

/**
 * The tunnel's public URL: --public-url; else one a tunnel service prints on the session (or in the
 * pre-login banner); else a server of one's own, which prints none: its address and the bound port.
 */
async function discoverPublicUrl(conn: Client, options: SshTunnelOptions, banner: string, boundPort: number) {
  if (options.publicUrl) return { publicUrl: options.publicUrl, printed: false, session: undefined };
  let session: ClientChannel | undefined;
  let publicUrl = publicUrlIn(banner);
  if (!publicUrl) {
    session = await new Promise<ClientChannel | undefined>((resolve) => conn.shell(false, (error, channel) => resolve(error ? undefined : channel)));
    if (session) publicUrl = await printedUrl(session, options.urlWaitMs ?? 5_000);
  }
  const { host } = options.target;
  return { publicUrl: publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`, printed: publicUrl !== undefined, session };
}

/**
 * An SSH reverse tunnel (remote forwarding, `ssh -R`) with the `ssh2` library: the server listens
 * on a port and hands each connection back through the SSH connection to the local receiver.
 * For a server of one's own (its URL, or `--public-url` for the proxy in front of it) and for
 * services that print a URL on connect (localhost.run, pinggy). Host keys are checked against
 * known_hosts; a closed connection is reported as `reconnecting` so the health monitor reopens it.
 */
export function sshTunnel(options: SshTunnelOptions): TunnelOpener {
  const { host, port } = options.target;
  const username = options.target.user ?? options.defaultUser;
  const where = `${username}@${knownHostsName(host, port)}`;
  return {
    kind: 'ssh',
    async open(local, signal) {
      const { Client: SshClient } = (await import('ssh2')).default;
      const methods = await authMethods(options, username);
      const knownTypes = await knownKeyTypes(options.knownHostsFiles, host, port);
      const preferred = knownTypes.flatMap((type) => ALGORITHMS_FOR[type] ?? []);
      const hostKey = hostKeyVerifier(options, host, port);
      const conn: Client = new SshClient();
      const config: ConnectConfig = {
        host,
        port,
        username,
        authHandler: methods,
        hostVerifier: (blob: Buffer, verify: (valid: boolean) => void) => {
          hostKey.verify(blob).then(verify, () => verify(false));
        },
        ...(preferred.length > 0 ? { algorithms: { serverHostKey: { append: [], remove: preferred, prepend: preferred } } } : {}),
        readyTimeout: options.connectTimeoutMs ?? 15_000,
        keepaliveInterval: 10_000,
        keepaliveCountMax: 3,
      };
      let banner = '';
      conn.on('banner', (message: string) => {
        banner += message;
      });
      await handshake(conn, config, signal, where, hostKey.problem);
      // From here on the connection's end is the tunnel's death (reported once a listener is told).
      const { emit, onChange } = tunnelListeners();
      let closing = false;
      let closed = false;
      let lastError: string | undefined;
      conn.on('error', (error) => {
        lastError = error.message;
      });
      conn.on('close', () => {
        closed = true;
        if (closing) return;
        emit({ state: 'reconnecting', reason: `the SSH connection to ${where} closed${lastError ? `: ${lastError}` : ''}` });
      });
      relayToLocal(conn, local.port);
      const boundPort = await forwardRemotePort(conn, options.remotePort, where);
      const { publicUrl, printed, session } = await discoverPublicUrl(conn, options, banner, boundPort);

      if (closed) throw new FailureError(`the SSH connection to ${where} closed while the tunnel was being set up${lastError ? `: ${lastError}` : ''}`);
      return {
        kind: 'ssh',
        publicUrl,
        // A URL the service prints is its own choice; the proxy's URL, or a fixed port on one's own server, stays.
        stableUrl: options.publicUrl !== undefined || (!printed && options.remotePort !== 0),
        details: { server: where, remotePort: boundPort },
        onChange,
        close: async () => {
          if (closing) return;
          closing = true;
          if (closed) return;
          session?.close();
          await new Promise<void>((resolve) => {
            conn.once('close', () => resolve());
            conn.end();
          });
        },
      } satisfies Tunnel;
    },
  };
}

/** Read what the session prints until an https URL shows up, the session ends, or `waitMs` passes. */
function printedUrl(session: ClientChannel, waitMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const done = (url: string | undefined) => {
      clearTimeout(timer);
      session.off('data', onData);
      session.stderr.off('data', onData);
      resolve(url);
    };
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const url = publicUrlIn(text);
      if (url) done(url);
    };
    const timer = setTimeout(() => done(undefined), waitMs);
    session.on('data', onData);
    session.stderr.on('data', onData);
    session.once('close', () => done(publicUrlIn(text)));
  });
}
