import { createHash } from 'node:crypto';
import { writePrivateFile } from '../store/folder.js';
import { LOOPBACK_HOSTS } from '../input.js';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import envPaths from 'env-paths';
import { z } from 'zod';
import type { WebhookConfig } from './schema.js';

/**
 * A config found in a cloned project is somebody else's input. It needs the user's one-time
 * trust (like direnv's `allow`), remembered per absolute path and content hash, when it is code
 * (a JS config runs with the user's permissions on every command) or when it would send signed
 * bodies or API keys off this machine.
 */


/** Config files that are code: loading them runs them. */
export function isCodeConfig(file: string): boolean {
  return /\.(c|m)?(j|t)s$/.test(file);
}

/** What a parsed config would do that needs trust (empty: nothing). */
function configRisks(config: WebhookConfig): string[] {
  const risks: string[] = [];
  const remote = (value: string | undefined) => {
    if (value === undefined) return undefined;
    try {
      const host = new URL(value).hostname;
      return LOOPBACK_HOSTS.has(host) || host.endsWith('.localhost') || /^127\./.test(host) ? undefined : host;
    } catch {
      return undefined;
    }
  };
  const forward = remote(config.forwardTo);
  if (forward) risks.push(`"forwardTo" sends signed bodies to ${forward}`);
  for (const [pattern, url] of Object.entries(config.listen?.routes ?? {})) {
    const host = remote(url);
    if (host) risks.push(`"listen.routes" sends ${pattern} events to ${host}`);
  }
  for (const [name, provider] of Object.entries(config.providers ?? {})) {
    const host = remote(provider.apiBase);
    if (host) risks.push(`"providers.${name}.apiBase" sends the ${name} API key to ${host}`);
  }
  return risks;
}

const contentHash = (content: string | Uint8Array) => createHash('sha256').update(content).digest('hex');

/**
 * What a trust decision is bound to: the file's bytes, or for package.json only its "webhook"
 * section (so adding a dependency does not ask again).
 */
export async function configHash(file: string, section?: unknown): Promise<string> {
  if (path.basename(file) === 'package.json') return contentHash(JSON.stringify(section ?? null));
  return contentHash(await readFile(file));
}

/** Why a config needs trust, in words for the user (empty: it does not). */
export function trustReasons(file: string, config: WebhookConfig | undefined): string[] {
  if (isCodeConfig(file)) return ['it is JavaScript, which would run with your permissions on every webhook command'];
  return config ? configRisks(config) : [];
}

const trustFileSchema = z.record(z.string(), z.strictObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/), trustedAt: z.string() }));
type TrustFile = z.infer<typeof trustFileSchema>;

/** The user's trust decisions, in their config folder (mode 0600). */
export interface TrustStore {
  readonly file: string;
  isTrusted(configFile: string, hash: string): Promise<boolean>;
  trust(configFile: string, hash: string, now: Date): Promise<void>;
  /** True when there was something to revoke. */
  revoke(configFile: string): Promise<boolean>;
  list(): Promise<{ file: string; sha256: string; trustedAt: string }[]>;
}

function defaultTrustFile(): string {
  return path.join(envPaths('webhook', { suffix: '' }).config, 'trusted-configs.json');
}

export function trustStore(file: string = defaultTrustFile()): TrustStore {
  // Read as untrusted input: a damaged file trusts nothing (and is rewritten on the next trust).
  const read = async (): Promise<TrustFile> => {
    try {
      const parsed = trustFileSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  };
  const write = async (data: TrustFile) => {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writePrivateFile(file, `${JSON.stringify(data, null, 2)}\n`);
  };
  return {
    file,
    isTrusted: async (configFile, hash) => (await read())[path.resolve(configFile)]?.sha256 === hash,
    async trust(configFile, hash, now) {
      const data = await read();
      data[path.resolve(configFile)] = { sha256: hash, trustedAt: now.toISOString() };
      await write(data);
    },
    async revoke(configFile) {
      const data = await read();
      const key = path.resolve(configFile);
      if (!(key in data)) return false;
      delete data[key];
      await write(data);
      return true;
    },
    list: async () => Object.entries(await read()).map(([f, v]) => ({ file: f, ...v })),
  };
}
