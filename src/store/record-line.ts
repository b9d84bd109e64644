import type { LogRecord, RequestRecord } from './types.js';

/**
 * The request record `withEncodedBody` made last, and the JSON of its fields. One record, not a
 * map of them (a WeakMap entry costs ~0.1 µs a record): the receiver appends each record as soon
 * as it is made. A record appended after another was made is serialised whole, to the same line.
 */
let madeRecord: RequestRecord | undefined;
let madeText = '';

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
  madeRecord = record as RequestRecord;
  madeText = text;
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
  if (madeRecord !== record) return { text: JSON.stringify(record), body: undefined };
  madeRecord = undefined;
  return { text: madeText, body: record.bodyBase64 };
}
