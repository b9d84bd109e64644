import { UsageError } from '../errors.js';
import type { DeliveryLog } from './delivery-log.js';
import { parseLogRecord } from './records.js';
import type { LogRecord } from './types.js';

/**
 * The records of an NDJSON export (`webhook log export`), every one checked before any is
 * written: a bad line throws, naming `file` and the line, and nothing is imported.
 */
export function parseExport(text: string, file: string): LogRecord[] {
  const records: LogRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const parsed = parseLogRecord(line);
    if ('problem' in parsed) {
      throw new UsageError(`${file}:${i + 1}: ${parsed.problem === 'invalid JSON' ? 'not a JSON record' : `not a delivery record (${parsed.problem})`}; nothing was imported`, { hint: 'import reads what `webhook log export` (ndjson) writes' });
    }
    records.push(parsed.record);
  });
  return records;
}

/**
 * Append exported records to a log opened for writing. A delivery whose id the log already has is
 * skipped, with its outcome; an outcome is added only after its own request was.
 */
export async function mergeRecords(log: DeliveryLog, records: readonly LogRecord[]): Promise<{ added: number; skipped: number }> {
  let added = 0;
  let skipped = 0;
  const existing = new Set(log.summaries(0, log.size()).map((s) => s.id));
  const importing = new Set<string>();
  for (const record of records) {
    if (existing.has(record.id)) {
      if (record.kind === 'request') skipped++;
      continue;
    }
    if (record.kind === 'request') {
      importing.add(record.id);
      await log.appendRequest(record);
      added++;
    } else if (importing.has(record.id)) await log.appendOutcome(record);
  }
  return { added, skipped };
}
