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
