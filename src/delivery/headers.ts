/** Headers that describe one hop, not the message: never forwarded or replayed (RFC 9110 §7.6.1). */
export const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length']);

/** The end-to-end headers of a recorded or received request, multi-valued ones kept as lists. */
export function endToEndHeaders(headers: Readonly<Record<string, string | readonly string[]>>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name.toLowerCase())) out[name] = typeof value === 'string' ? value : [...value];
  return out;
}
