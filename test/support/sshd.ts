import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';

/** The OpenSSH server binary (Debian's openssh-server), or undefined when it is not installed. */
export const SSHD = ['/usr/sbin/sshd', '/usr/local/sbin/sshd'].find((file) => existsSync(file));

export interface SshKeys {
  readonly dir: string;
  readonly hostKey: string;
  /** The host public key line (`ssh-ed25519 AAAA...`). */
  readonly hostPublicKey: string;
  readonly clientKey: string;
  readonly user: string;
}

/** Throwaway host and client keys (ssh-keygen) in dir; the client key may open tunnels only. */
export async function makeSshKeys(dir: string, options: { command?: string } = {}): Promise<SshKeys> {
  const hostKey = path.join(dir, 'host_ed25519');
  const clientKey = path.join(dir, 'client_ed25519');
  for (const file of [hostKey, clientKey]) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'webhook-test', '-f', file]);
  // A tunnel-only key, as an admin would set one up: no shell (the forced command just says so), forwarding allowed.
  await writeFile(path.join(dir, 'authorized_keys'), `restrict,port-forwarding,command="${options.command ?? 'echo this key only opens tunnels'}" ${readFileSync(`${clientKey}.pub`, 'utf8')}`, { mode: 0o600 });
  return { dir, hostKey, hostPublicKey: readFileSync(`${hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' '), clientKey, user: userInfo().username };
}

/** A free loopback port, chosen by the OS (a temporary server on port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Sshd {
  readonly port: number;
  readonly child: ChildProcess;
  log(): string;
  /** Stop the server and every session process it forked (a server going away mid-session). */
  stop(): Promise<void>;
}

/** Linux: the pids descended from pid (sshd forks a monitor and a session process per connection). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const all: number[] = [];
  const walk = (p: number): void => {
    for (const c of parents.get(p) ?? []) {
      all.push(c);
      walk(c);
    }
  };
  walk(pid);
  return all;
}

/**
 * A real OpenSSH server on 127.0.0.1:port with its own config (no PAM, keys from the temp dir,
 * remote forwarding on loopback only), in the foreground (-D) logging to stderr (-e), owned by the test.
 */
export async function startSshd(keys: SshKeys, port: number): Promise<Sshd> {
  if (!SSHD) throw new Error('sshd is not installed (apt-get install openssh-server)');
  // Run as root (CI), sshd needs its privilege separation directory, normally made by the service unit.
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
  const config = path.join(keys.dir, 'sshd_config');
  await writeFile(
    config,
    [
      `HostKey ${keys.hostKey}`,
      `AuthorizedKeysFile ${path.join(keys.dir, 'authorized_keys')}`,
      `PidFile ${path.join(keys.dir, 'sshd.pid')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      `AllowUsers ${keys.user}`,
      'AllowTcpForwarding yes',
      'GatewayPorts no',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  const child = spawn(SSHD, ['-D', '-e', '-f', config, '-o', `ListenAddress=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      log += d;
      if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`sshd exited ${code}: ${log}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    port,
    child,
    log: () => log,
    async stop() {
      const forked = child.pid === undefined ? [] : descendants(child.pid);
      child.kill('SIGTERM');
      for (const pid of forked) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      await exited;
    },
  };
}
