import { z } from 'zod';
import { parseUntrustedJson } from '../untrusted-json.js';
import { SEND_ERROR_KINDS } from '../send-outcome.js';
import type { LogRecord } from './types.js';

/**
 * The log's records as read back: the file may have been written by another version, edited,
 * imported or planted, so every record is checked against this schema (not cast). Objects are
 * loose: fields added by newer versions pass through.
 */
const headers = z.record(z.string(), z.union([z.string(), z.array(z.string())]));
const id = z.string().min(1).max(256);
const verdict = z.discriminatedUnion('state', [
  z.looseObject({ state: z.literal('verified') }),
  z.looseObject({ state: z.literal('failed'), reason: z.string(), detail: z.string() }),
  z.looseObject({ state: z.literal('unknown'), detail: z.string() }),
]);

const requestRecordSchema = z.looseObject({
  kind: z.literal('request'),
  id,
  receivedAt: z.number(),
  provider: z.string(),
  event: z.string().optional(),
  method: z.string(),
  path: z.string(),
  headers,
  bodyBase64: z.string(),
  bodySize: z.number().int().nonnegative(),
  signature: verdict,
  source: z.enum(['provider', 'trigger', 'replay', 'resend', 'self-check', 'catch-up']).optional(),
  replayOf: id.optional(),
  messageId: z.string().optional(),
});

const outcomeRecordSchema = z.looseObject({
  kind: z.literal('outcome'),
  id,
  at: z.number(),
  target: z.string(),
  status: z.number().int().optional(),
  headers: headers.optional(),
  bodyExcerptBase64: z.string().optional(),
  durationMs: z.number(),
  error: z.looseObject({ kind: z.enum(SEND_ERROR_KINDS), message: z.string() }).optional(),
  answered: z.number().int(),
  skipped: z.string().optional(),
});

const logRecordSchema = z.discriminatedUnion('kind', [requestRecordSchema, outcomeRecordSchema]);

/** A log record from one line of text, or why it is not one ("invalid JSON", "kind: …"). */
export function parseLogRecord(text: string): { record: LogRecord } | { problem: string } {
  const parsed = parseUntrustedJson(logRecordSchema, text, 'record');
  return 'value' in parsed ? { record: parsed.value as LogRecord } : parsed;
}

const BODY_KEY = Buffer.from('"bodyBase64":"');
const QUOTE = 0x22;
/** Base64's alphabet (standard and URL-safe) and padding: no quote, backslash or control byte. */
const BASE64 = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_') BASE64[c.charCodeAt(0)] = 1;

/**
 * A record read for the index: checked as `parseLogRecord` checks it, but a request's body (most of
 * its bytes) is cut out before parsing, so indexing 100,000 deliveries does not decode 100,000
 * bodies. The index never needs the body; `load` reads the whole record again. Only a body made
 * of base64 characters is cut (then the cut leaves valid JSON); anything else is parsed whole.
 */
export function parseLogRecordWithoutBody(line: Buffer): { record: LogRecord } | { problem: string } {
  const key = line.indexOf(BODY_KEY);
  if (key === -1) return parseLogRecord(line.toString('utf8'));
  const start = key + BODY_KEY.length;
  const end = line.indexOf(QUOTE, start);
  if (end === -1) return parseLogRecord(line.toString('utf8'));
  for (let i = start; i < end; i++) if (BASE64[line[i]!] === 0) return parseLogRecord(line.toString('utf8'));
  return parseLogRecord(line.toString('utf8', 0, start) + line.toString('utf8', end));
}
