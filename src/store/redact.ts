import { UsageError } from '../errors.js';
import { serialiseLike, setPath } from '../json-text.js';

/** Replace each dot path that exists with "[redacted]"; serialised once, in the body's own style. */
export function redactBody(bytes: Buffer, paths: readonly string[]): Buffer {
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError('--redact needs a JSON body, and this one is not JSON', { hint: 'save it without --redact, or edit the file afterwards' });
  }
  for (const p of paths) {
    const keys = p.split('.');
    let node: unknown = value;
    for (const key of keys.slice(0, -1)) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    if (node === null || typeof node !== 'object' || !(keys.at(-1)! in (node as object))) throw new UsageError(`--redact: "${p}" is not in this body`, { hint: 'paths are dot-separated keys from the top, e.g. data.customer.email' });
    value = setPath(value, keys, '[redacted]', p);
  }
  return Buffer.from(serialiseLike(value, text), 'utf8');
}
