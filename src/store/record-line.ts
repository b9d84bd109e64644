import type { LogRecord, RequestRecord } from './types.js';

/** The JSON text of request records made by `withEncodedBody`, without their body. */
const texts = new WeakMap<RequestRecord, string>();

/**
 * `fields` made a request record (taken over, not copied) with `body` encoded as base64 as its
 * last key. Its line is written as the JSON of the other fields, serialised here once, with the
 * body put in before the closing brace as it is, since base64 needs no escaping: JSON.stringify's
 * scan of every character of the body was most of what writing a record cost.
 */
export function withEncodedBody(fields: Omit<RequestRecord, 'bodyBase64'>, body: Buffer): RequestRecord {
  const text = JSON.stringify(fields);
  const record = fields as { bodyBase64?: string } & Omit<RequestRecord, 'bodyBase64'>;
  record.bodyBase64 = body.toString('base64');
  texts.set(record as RequestRecord, text);
  return record as RequestRecord;
}

/**
 * A record's line, without the newline: `text` is its JSON; with `body`, the JSON of its other
 * fields, and the line is `text` up to its closing brace, `,"bodyBase64":"`, `body`, `"}`.
 */
export interface RecordLine {
  readonly text: string;
  readonly body: string | undefined;
}

/** What `JSON.stringify(record)` gives, in the parts `RecordLine` says. */
export function recordLine(record: LogRecord): RecordLine {
  const text = record.kind === 'request' ? texts.get(record) : undefined;
  return text === undefined ? { text: JSON.stringify(record), body: undefined } : { text, body: (record as RequestRecord).bodyBase64 };
}
