import { isUtf8 } from 'node:buffer';
import type { DeliveryFeed } from './feed.js';
import type { Delivery } from './types.js';

export type ExportFormat = 'ndjson' | 'har';

export function isExportFormat(format: string): format is ExportFormat {
  return format === 'ndjson' || format === 'har';
}

/** The newest `limit` deliveries of a log (all without a limit), oldest first; `listed` counts the rows asked for. */
export async function newestDeliveries(log: DeliveryFeed, limit?: number): Promise<{ deliveries: Delivery[]; listed: number }> {
  const total = log.size();
  const rows = log.summaries(limit ? Math.max(0, total - limit) : 0, total);
  const deliveries: Delivery[] = [];
  for (const row of rows) {
    const delivery = await log.load(row.id);
    if (delivery) deliveries.push(delivery);
  }
  return { deliveries, listed: rows.length };
}

/** The deliveries as the log's own NDJSON records (what `webhook log import` reads back). */
export function ndjsonExport(deliveries: readonly Delivery[]): string {
  return deliveries.map((d) => `${JSON.stringify(d.request)}\n${d.outcome ? `${JSON.stringify(d.outcome)}\n` : ''}`).join('');
}

/** The deliveries as a HAR 1.2 document, for HTTP tools. */
export function harExport(deliveries: readonly Delivery[]): string {
  return `${JSON.stringify({ log: { version: '1.2', creator: { name: 'webhook', version: '0' }, entries: deliveries.map(harEntry) } }, null, 2)}\n`;
}

const headerList = (headers: Readonly<Record<string, string | readonly string[]>> = {}) =>
  Object.entries(headers).flatMap(([name, value]) => (typeof value === 'string' ? [value] : [...value]).map((v) => ({ name, value: v })));

/**
 * A body in HAR 1.2 without losing bytes. Valid UTF-8 is kept as text. Otherwise a response's
 * `content` carries it base64 with `"encoding": "base64"` (HAR 1.2 defines that field there); a
 * request's `postData` has no such field in 1.2, so its `text` is the readable (lossy) decoding and
 * the custom field `_bodyBase64` (custom fields start with "_") holds the exact bytes.
 */
function harRequestBody(body: Buffer, mimeType: string) {
  if (isUtf8(body)) return { mimeType, text: body.toString('utf8') };
  return { mimeType, text: body.toString('utf8'), _bodyBase64: body.toString('base64'), comment: 'the body is not valid UTF-8: text is a lossy decoding, _bodyBase64 holds the exact bytes' };
}

function harResponseContent(body: Buffer, mimeType: string) {
  return isUtf8(body) ? { size: -1, mimeType, text: body.toString('utf8') } : { size: -1, mimeType, text: body.toString('base64'), encoding: 'base64' };
}

/** One delivery as a HAR entry: the request as received, the app's answer as the response. */
function harEntry(d: Delivery) {
  const body = Buffer.from(d.request.bodyBase64, 'base64');
  const host = d.request.headers.host;
  return {
    startedDateTime: new Date(d.request.receivedAt).toISOString(),
    time: d.outcome?.durationMs ?? 0,
    request: {
      method: d.request.method,
      url: `http://${typeof host === 'string' ? host : 'webhook-listen'}${d.request.path}`,
      httpVersion: 'HTTP/1.1',
      headers: headerList(d.request.headers),
      queryString: [],
      cookies: [],
      headersSize: -1,
      bodySize: d.request.bodySize,
      postData: harRequestBody(body, String(d.request.headers['content-type'] ?? 'application/octet-stream')),
    },
    response: {
      status: d.outcome?.status ?? d.outcome?.answered ?? 0,
      statusText: '',
      httpVersion: 'HTTP/1.1',
      headers: headerList(d.outcome?.headers),
      cookies: [],
      content: harResponseContent(Buffer.from(d.outcome?.bodyExcerptBase64 ?? '', 'base64'), String(d.outcome?.headers?.['content-type'] ?? '')),
      redirectURL: '',
      headersSize: -1,
      bodySize: -1,
    },
    cache: {},
    timings: { send: 0, wait: d.outcome?.durationMs ?? 0, receive: 0 },
    comment: `${d.request.provider} ${d.request.event ?? ''} signature ${d.request.signature.state} → ${d.outcome?.target ?? 'not forwarded'}`,
  };
}
