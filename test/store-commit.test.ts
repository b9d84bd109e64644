/**
 * Group commit encodes records straight into one reused buffer: records of any size and any
 * characters, committed together or apart, must land whole, at the offsets the log indexed.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { LOG_FILE, newDeliveryId, openDeliveryLog } from '../src/store/delivery-log.js';
import type { RequestRecord } from '../src/store/types.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-commit-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

function request(id: string, body: Buffer, header: string): RequestRecord {
  return { kind: 'request', id, receivedAt: 1_700_000_000_000, provider: 'paystack', event: 'événement ✓', method: 'POST', path: '/', headers: { 'x-note': header }, bodyBase64: body.toString('base64'), bodySize: body.length, signature: { state: 'unknown', detail: 'no secret' } };
}

it('writes records of any size and characters whole, together or apart, each readable at its offset', async () => {
  const log = await openDeliveryLog(dir);
  const cases = [
    request(newDeliveryId(systemClock), Buffer.from('{"a":1}'), 'plain'),
    request(newDeliveryId(systemClock), Buffer.alloc(300_000, 7), 'big: over the commit buffer’s first size'),
    request(newDeliveryId(systemClock), Buffer.from('é'), 'emoji 🎉 and a lone surrogate \ud800 and latin1 \u00ff'),
    request(newDeliveryId(systemClock), Buffer.alloc(2_000_000, 1), 'bigger still'),
  ];
  // The first three are appended in one turn (one commit); the last one alone, after.
  await Promise.all(cases.slice(0, 3).map((r) => log.appendRequest(r)));
  await log.appendRequest(cases[3]!);
  await log.appendRequest(request(newDeliveryId(systemClock), Buffer.from('small after big'), 'after'));
  for (const r of cases) expect((await log.load(r.id))?.request).toEqual(JSON.parse(JSON.stringify(r)));
  await log.close();

  const lines = (await readFile(path.join(dir, LOG_FILE), 'utf8')).split('\n');
  expect(lines.at(-1)).toBe('');
  expect(lines.slice(0, 4).map((l) => (JSON.parse(l) as RequestRecord).id)).toEqual(cases.map((r) => r.id));
  const again = await openDeliveryLog(dir, { access: 'read' });
  expect(again.warnings).toEqual([]);
  expect(again.size()).toBe(5);
  expect((await again.load(cases[2]!.id))?.request.headers['x-note']).toBe(JSON.parse(JSON.stringify(cases[2]!.headers['x-note'])));
  await again.close();
});
