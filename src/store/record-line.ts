import type { LogRecord, RequestRecord } from './types.js';

/**
 * The JSON text of request records made by `withEncodedBody`, up to their body:
 * `{"kind":"request",...,"bodyBase64":"`. The line is that, the base64 body, and `"}`.
 */
const heads = new WeakMap<RequestRecord, string>();

/**
 * `fields` made a request record (taken over, not copied) with `body` encoded as base64 as its
 * last key. Its line is written as its text so far and the body as it is, since base64 needs no
 * escaping: JSON.stringify's scan of every character of the body was most of what writing a
 * record cost, and one string of the whole line a copy of the body more.
 */
export function withEncodedBody(fields: Omit<RequestRecord, 'bodyBase64'>, body: Buffer): RequestRecord {
  const head = JSON.stringify(fields);
  const record = fields as { bodyBase64?: string } & Omit<RequestRecord, 'bodyBase64'>;
  record.bodyBase64 = body.toString('base64');
  heads.set(record as RequestRecord, `${head.slice(0, -1)},"bodyBase64":"`);
  return record as RequestRecord;
}

/** A record's line (without the newline) in two parts: `text`, then `body` (base64, ASCII) and `"}` when there is one. */
export interface RecordLine {
  readonly text: string;
  readonly body: string | undefined;
}

/** What `JSON.stringify(record)` gives, in the parts `RecordLine` says. */
export function recordLine(record: LogRecord): RecordLine {
  const head = record.kind === 'request' ? heads.get(record) : undefined;
  return head === undefined ? { text: JSON.stringify(record), body: undefined } : { text: head, body: (record as RequestRecord).bodyBase64 };
}
