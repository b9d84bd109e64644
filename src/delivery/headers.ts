/**
 * Headers that describe one hop, not the message: never forwarded or replayed (RFC 9110 §7.6.1).
 * `expect` too: the receiver has already answered `100-continue` and holds the whole body, and
 * undici refuses to send it.
 */
const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'expect']);

/**
 * Where a delivery claims to come from, for apps that allow-list the provider's addresses:
 * sent as `X-Forwarded-For`, as a reverse proxy in front of the app would.
 */
export const FORWARDED_FOR = 'x-forwarded-for';

/**
 * The end-to-end headers of a recorded or received request, multi-valued ones kept as lists;
 * headers the sender named in `Connection:` are hop-by-hop as well (RFC 9110 §7.6.1). With
 * `forwardedFor`, that address is appended to X-Forwarded-For (added when absent), as a proxy
 * does: one copy of the headers per forwarded delivery.
 */
export function endToEndHeaders(headers: Readonly<Record<string, string | readonly string[]>>, forwardedFor?: string): Record<string, string | string[]> {
  let named: Set<string> | undefined;
  for (const name in headers) {
    if (name.length !== 10 || name.toLowerCase() !== 'connection') continue;
    const value = headers[name]!;
    // Most senders name only `keep-alive` or `close`: nothing beyond the hop-by-hop list.
    const single = typeof value === 'string' && !value.includes(',') ? value.trim().toLowerCase() : undefined;
    if (single !== undefined && (single === 'close' || single === '' || HOP_BY_HOP.has(single))) continue;
    named = new Set([value].flat().flatMap((v) => v.split(',')).map((v) => v.trim().toLowerCase()).filter(Boolean));
  }
  const out: Record<string, string | string[]> = {};
  let existing = '';
  for (const name in headers) {
    const value = headers[name]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named?.has(lower)) continue;
    if (forwardedFor === undefined || lower !== FORWARDED_FOR) out[name] = typeof value === 'string' ? value : [...value];
    else existing = joinForwardedFor(existing, value);
  }
  if (forwardedFor !== undefined) out[FORWARDED_FOR] = existing === '' ? forwardedFor : `${existing}, ${forwardedFor}`;
  return out;
}

/** The addresses of an X-Forwarded-For header (one value or several lines) after those already found. */
function joinForwardedFor(existing: string, value: string | readonly string[]): string {
  let joined = existing;
  for (const v of typeof value === 'string' ? [value] : value) {
    const trimmed = v.trim();
    if (trimmed !== '') joined = joined === '' ? trimmed : `${joined}, ${trimmed}`;
  }
  return joined;
}
