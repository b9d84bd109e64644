// fs.promises, read where used: a command that reads no file never loads node:fs/promises.
import { promises as fsp, readFileSync } from 'node:fs';
import { errorCode, UsageError } from './errors.js';

/** Host names of this machine as URLs write them. */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Read body bytes from `--body <text>` or `--body-file <path>` (`-` reads stdin). */
export async function readBodyInput(
  options: { body?: string | undefined; bodyFile?: string | undefined },
  // The streams, not stdin itself: process.stdin is set up only when the body is read from it.
  streams: { readonly stdin: NodeJS.ReadableStream },
): Promise<Uint8Array> {
  if (options.body !== undefined && options.bodyFile !== undefined) {
    throw new UsageError('give either --body or --body-file, not both');
  }
  if (options.body !== undefined) return Buffer.from(options.body, 'utf8');
  if (options.bodyFile === undefined) {
    throw new UsageError('no body given', { hint: 'pass --body \'{"event":"charge.success"}\' or --body-file payload.json (- for stdin)' });
  }
  if (options.bodyFile === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of streams.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    return Buffer.concat(chunks);
  }
  return readFileOrExplain(options.bodyFile, 'body file');
}

function explainReadError(error: unknown, file: string, what: string): UsageError {
  const code = errorCode(error);
  const reason = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable (permission denied)' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(error)})`;
  return new UsageError(`${what} ${file} ${reason}`, { hint: 'check the path', cause: error });
}

/** Read a file the user named, turning ENOENT/EACCES/EISDIR into one clear usage error. */
export async function readFileOrExplain(file: string, what: string): Promise<Buffer> {
  try {
    return await fsp.readFile(file);
  } catch (error) {
    throw explainReadError(error, file, what);
  }
}

/**
 * The same, synchronously: for many small files (replay's fixtures) one blocking read is several
 * times faster than the thread-pool round trips of an async one.
 */
export function readFileSyncOrExplain(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw explainReadError(error, file, what);
  }
}

/** Parse repeated `--header "Name: value"` flags into a lower-case record. */
export function parseHeaderFlags(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of values) {
    const at = raw.indexOf(':');
    const name = at > 0 ? raw.slice(0, at).trim() : '';
    if (!name || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) {
      throw new UsageError(`malformed --header "${raw}"`, { hint: 'write it as "Name: value", e.g. --header "x-paystack-signature: 3f2a..."' });
    }
    out[name.toLowerCase()] = raw.slice(at + 1).trim();
  }
  return out;
}

/**
 * Parse an http(s) URL given in a flag or the config (every URL option goes through here), or
 * explain. A URL written without its scheme ("localhost:3000/hooks", "127.0.0.1:3000",
 * "example.dev/hooks") is refused with the fix spelled out: the same URL with http:// (https://
 * for a public host). `write` shows how the fixed URL is written back (default: `<flag> <url>`).
 */
export function parseHttpUrl(flag: string, raw: string, options: { write?: (url: string) => string } = {}): URL {
  const write = options.write ?? ((url: string) => `${flag} ${url}`);
  const text = raw.trim();
  const withoutScheme = !/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d*)?(\/|\?|#|$)/i.test(text) && text !== '';
  if (withoutScheme) {
    const host = (text.startsWith('[') ? text.slice(1, text.indexOf(']')) : text.split(/[:/?#]/)[0]!).toLowerCase();
    const local = host === 'localhost' || host === '::1' || host.startsWith('127.') || host === '0.0.0.0' || !host.includes('.') || host.endsWith('.localhost') || host.endsWith('.local');
    throw new UsageError(`${flag} "${raw}" has no scheme (http:// or https://)`, { hint: `write ${write(`${local ? 'http' : 'https'}://${text}`)}` });
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag} is not a URL: "${raw}"`, { hint: `write a full URL, e.g. ${write('http://localhost:3000/webhooks')}` });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${flag} must be an http(s) URL, got "${raw}"`, { hint: `e.g. ${write('http://localhost:3000/webhooks')}` });
  }
  if (url.hostname === '') throw new UsageError(`${flag} "${raw}" has no host`, { hint: `e.g. ${write('http://localhost:3000/webhooks')}` });
  return url;
}
