import { createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** How OpenSSH names a host in known_hosts: `host` on port 22, else `[host]:port`. */
export const knownHostsName = (host: string, port: number) => (port === 22 ? host : `[${host}]:${port}`);

/** The key type named inside an SSH public key blob (its first length-prefixed string). */
function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

export type HostKeyVerdict =
  | { readonly state: 'known' }
  | { readonly state: 'unknown'; readonly type: string }
  | { readonly state: 'changed'; readonly type: string; readonly line: number }
  | { readonly state: 'revoked'; readonly line: number };

interface KnownHostsLine {
  readonly line: number;
  readonly marker: string | undefined;
  readonly patterns: string;
  readonly type: string;
  readonly key: string;
}

function parse(text: string): KnownHostsLine[] {
  const lines: KnownHostsLine[] = [];
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/\s+/);
    const marker = fields[0]!.startsWith('@') ? fields.shift() : undefined;
    const [patterns, type, key] = fields;
    if (patterns && type && key) lines.push({ line: index + 1, marker, patterns, type, key });
  });
  return lines;
}

const glob = (pattern: string, name: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(name);

/** Whether a known_hosts host field (comma list, `!negations`, `*` globs, or a `|1|` hash) names this host. */
function matches(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) {
    const [, , salt, hash] = patterns.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let hit = false;
  for (const pattern of patterns.split(',')) {
    if (pattern.startsWith('!')) {
      if (glob(pattern.slice(1), name)) return false;
    } else if (glob(pattern, name)) hit = true;
  }
  return hit;
}

/**
 * Check a server's host key against known_hosts files as OpenSSH does: a line for this host and
 * key type with the same key is known; the same type with another key has changed (refuse);
 * `@revoked` refuses; no line for this type is unknown.
 */
export async function checkHostKey(files: readonly string[], host: string, port: number, blob: Buffer): Promise<HostKeyVerdict> {
  const name = knownHostsName(host, port);
  const type = keyTypeOf(blob);
  const key = blob.toString('base64');
  let changed: HostKeyVerdict | undefined;
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const entry of parse(text)) {
      if (!matches(entry.patterns, name)) continue;
      if (entry.marker === '@revoked' && entry.key === key) return { state: 'revoked', line: entry.line };
      if (entry.marker !== undefined) continue; // @cert-authority: certificates are not used here
      if (entry.type !== type) continue;
      if (entry.key === key) return { state: 'known' };
      changed ??= { state: 'changed', type, line: entry.line };
    }
  }
  return changed ?? { state: 'unknown', type };
}

/** The key types known_hosts already holds for this host (OpenSSH prefers these when negotiating). */
export async function knownKeyTypes(files: readonly string[], host: string, port: number): Promise<string[]> {
  const name = knownHostsName(host, port);
  const types = new Set<string>();
  for (const file of files) {
    for (const entry of parse(await readFile(file, 'utf8').catch(() => ''))) {
      if (entry.marker === undefined && matches(entry.patterns, name)) types.add(entry.type);
    }
  }
  return [...types];
}

/** Add a host key to known_hosts (first use with --ssh-accept-new-host-key), creating the file 0600. */
export async function addHostKey(file: string, host: string, port: number, blob: Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await appendFile(file, `${knownHostsName(host, port)} ${keyTypeOf(blob)} ${blob.toString('base64')}\n`, { mode: 0o600 });
}
