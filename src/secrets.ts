// fs.promises, read where used: a secret from a flag or the environment never loads node:fs/promises.
import { promises as fsp } from 'node:fs';
import type { CliContext } from './context.js';
import { UsageError } from './errors.js';
import { readFileOrExplain } from './input.js';
import type { ProviderProfile } from './providers/types.js';
import { keysDir, loadOrCreateKeyPair } from './store/keys.js';

export interface ResolvedSecret {
  readonly value: string;
  /** Where it came from, safe to print: "--secret", "--secret-file key.txt" or "$PAYSTACK_SECRET_KEY". */
  readonly source: string;
}

/** The flags a command takes its secret from (and --body-file, which may want stdin too). */
export interface SecretFlags {
  /** The secret itself (shows in `ps`), or "-": one line from stdin. */
  readonly secret?: string | undefined;
  /** A file holding the secret (all of it, surrounding whitespace trimmed: a PEM key works). */
  readonly secretFile?: string | undefined;
  readonly bodyFile?: string | undefined;
}

/**
 * The one place `--secret <value>`, `--secret -` (one line from stdin, trimmed) and
 * `--secret-file <path>` become a secret; undefined when none is given (the env var applies).
 * A secret file that group or others can read gets a warning.
 */
export async function secretFromFlags(flags: SecretFlags, ctx: Pick<CliContext, 'streams' | 'sink'>): Promise<ResolvedSecret | undefined> {
  if (flags.secret !== undefined && flags.secretFile !== undefined) {
    throw new UsageError('give either --secret or --secret-file, not both', { hint: '--secret-file <path> keeps the secret out of `ps`' });
  }
  const fromStdin = flags.secret === '-' || flags.secretFile === '-';
  if (fromStdin && flags.bodyFile === '-') {
    throw new UsageError('the secret and the body cannot both come from stdin', { hint: 'read one from a file: --secret-file <path> or --body-file <path>' });
  }
  if (fromStdin) {
    const source = '--secret - (stdin)';
    return { value: nonEmpty((await readLine(ctx.streams.stdin)).trim(), source), source };
  }
  if (flags.secretFile !== undefined) {
    const file = flags.secretFile;
    const source = `--secret-file ${file}`;
    const value = nonEmpty((await readFileOrExplain(file, 'secret file')).toString('utf8').trim(), source);
    const mode = (await fsp.stat(file)).mode;
    if (process.platform !== 'win32' && (mode & 0o044) !== 0) {
      ctx.sink({}).warn(`the secret file ${file} is readable by other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')}): chmod 600 ${file}`);
    }
    return { value, source };
  }
  return flags.secret === undefined ? undefined : { value: flags.secret, source: '--secret' };
}

function nonEmpty(value: string, source: string): string {
  if (value === '') throw new UsageError(`the secret from ${source} is empty`, { hint: 'write the secret on its first line, e.g. printf \'%s\\n\' "$SECRET" | webhook … --secret -' });
  return value;
}

/** The first line of a stream (or all of it, without a newline); the rest is left unread. */
function readLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const finish = (line: Buffer, rest?: Buffer) => {
      stream.off('data', onData).off('end', onEnd).off('error', onError);
      stream.pause();
      if (rest && rest.length > 0) stream.unshift(rest);
      resolve(line.toString('utf8'));
    };
    const onData = (chunk: Buffer | string) => {
      buffered = Buffer.concat([buffered, Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)]);
      const newline = buffered.indexOf(10);
      if (newline >= 0) finish(buffered.subarray(0, newline), buffered.subarray(newline + 1));
      else if (buffered.length > 1024 * 1024) reject(new UsageError('the secret on stdin is longer than 1 MiB', { hint: 'pipe in the secret alone, on one line' }));
    };
    const onEnd = () => finish(buffered);
    const onError = (error: Error) => reject(error);
    stream.on('data', onData).on('end', onEnd).on('error', onError);
    stream.resume();
  });
}

/**
 * The secret for a provider: the one given by flags (`secretFromFlags`), else the provider's env
 * var (config may rename it); for schemes that sign with a private key, else the stored test key
 * pair (made on first use). Checked against the scheme so a malformed secret is a usage error,
 * never a wrong signature.
 */
export function resolveSecret(
  profile: ProviderProfile,
  given: ResolvedSecret | undefined,
  env: NodeJS.ProcessEnv,
  options: { required?: boolean; warn?: (text: string) => void; cwd?: string } = {},
): ResolvedSecret | undefined {
  const fromEnv = env[profile.secret.envVar];
  let resolved = given ?? (fromEnv !== undefined && fromEnv !== '' ? { value: fromEnv, source: `$${profile.secret.envVar}` } : undefined);
  if (!resolved && profile.scheme.keyPair) {
    const pair = loadOrCreateKeyPair(keysDir(env, options.cwd ?? process.cwd()), profile.name, profile.scheme.keyPair);
    resolved = { value: pair.privateKeyPem, source: `the test key pair (\`webhook keys ${profile.name}\`)` };
  }
  if (!resolved) {
    if (options.required === false) return undefined;
    throw new UsageError(`no secret for ${profile.name}`, {
      hint: `pass --secret-file <path> (or --secret <${profile.secret.format}>) or set ${profile.secret.envVar} (${profile.secret.where})`,
    });
  }
  const problem = profile.scheme.checkSecret(resolved.value);
  const mistake = secretMistake(profile, resolved.value);
  if (problem) {
    throw new UsageError(`the ${profile.name} secret from ${resolved.source} cannot be used: ${problem}${mistake ? `; it looks like ${mistake}` : ''}`, {
      hint: `a ${profile.name} secret looks like ${profile.secret.format} (${profile.secret.where})`,
    });
  }
  if (mistake) options.warn?.(`the ${profile.name} secret from ${resolved.source} looks like ${mistake}; ${profile.displayName} webhooks are signed with ${profile.secret.format}: ${profile.secret.where}`);
  return resolved;
}

/** What a secret of the wrong kind looks like, from the profile's declared mistakes (never the value itself). */
function secretMistake(profile: ProviderProfile, secret: string): string | undefined {
  return profile.secret.mistakes?.find((m) => m.pattern.test(secret))?.looksLike;
}

/** A secret as it may be shown: its non-secret prefix and its length, never the key material. */
export function maskSecret(secret: string): string {
  const prefix = /^(whsec_|sk_test_|sk_live_|pk_test_|sk_)/.exec(secret)?.[1] ?? '';
  return `${prefix}${'•'.repeat(4)} (${secret.length} chars)`;
}

/** Replace every occurrence of the given secrets in a text (for logs and error messages). */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join(maskSecret(secret));
  return out;
}

/**
 * A command's secret for a provider, from its flags, the provider's environment variable or
 * (key-pair providers) the test key pair in the store under the command's folder; a secret of the
 * wrong kind is warned about on stderr. The one place commands turn their flags into a secret.
 */
export async function commandSecret(profile: ProviderProfile, flags: SecretFlags | ResolvedSecret | undefined, ctx: Pick<CliContext, 'streams' | 'sink' | 'env' | 'cwd'>, options: { required?: boolean } = {}): Promise<ResolvedSecret | undefined> {
  const given = flags === undefined || 'value' in flags ? flags : await secretFromFlags(flags, ctx);
  return resolveSecret(profile, given, ctx.env, { ...options, cwd: ctx.cwd, warn: (text) => ctx.sink({}).warn(text) });
}
