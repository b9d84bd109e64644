/**
 * Headers that describe one hop, not the message: never forwarded or replayed (RFC 9110 §7.6.1).
 * `expect` too: the receiver has already answered `100-continue` and holds the whole body, and
 * undici refuses to send it.
 */
const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'expect']);

/**
 * The end-to-end headers of a recorded or received request, multi-valued ones kept as lists;
 * headers the sender named in `Connection:` are hop-by-hop as well (RFC 9110 §7.6.1).
 */
export function endToEndHeaders(headers: Readonly<Record<string, string | readonly string[]>>): Record<string, string | string[]> {
  let named: Set<string> | undefined;
  for (const name in headers) {
    if (name.length !== 10 || name.toLowerCase() !== 'connection') continue;
    named = new Set([headers[name]!].flat().flatMap((v) => v.split(',')).map((v) => v.trim().toLowerCase()).filter(Boolean));
  }
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name]!;
    const lower = name.toLowerCase();
    if (!HOP_BY_HOP.has(lower) && !named?.has(lower)) out[name] = typeof value === 'string' ? value : [...value];
  }
  return out;
}
