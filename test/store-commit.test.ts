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
import { withEncodedBody } from '../src/store/record-line.js';
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

it('writes a record whose body was encoded from bytes exactly as JSON.stringify would, whatever its other fields hold', async () => {
  const log = await openDeliveryLog(dir);
  const hostile = ['"bodyBase64":""', 'quote " backslash \\ newline \n tab \t nul \u0000', '\u2028 é 🎉 \ud800', '}{"kind":"outcome"'];
  const fields: Parameters<typeof withEncodedBody>[0][] = [
    // Every optional field present, and a header named like the body's key, holding the text the line is cut at.
    { kind: 'request', id: newDeliveryId(systemClock), messageId: hostile[0], receivedAt: 1, provider: 'paystack', event: hostile[1], method: 'POST', path: `/${hostile[2]}`, headers: { bodyBase64: '', 'x-a': hostile[3]!, 'x-list': [...hostile] }, bodySize: 3, signature: { state: 'failed', reason: 'no matching signature', detail: hostile[0]! }, source: 'replay', replayOf: hostile[3] },
    // Optional fields undefined (left out).
    { kind: 'request', id: newDeliveryId(systemClock), messageId: undefined, receivedAt: 2, provider: 'x', event: undefined, method: 'GET', path: '/', headers: {}, bodySize: 0, signature: { state: 'verified' }, source: 'provider', replayOf: undefined },
    { kind: 'request', id: newDeliveryId(systemClock), receivedAt: 3, provider: 'x', method: 'POST', path: '/', headers: {}, bodySize: 100_000, signature: { state: 'unknown', detail: 'no secret' } },
  ];
  const bodies = [Buffer.from([0xff, 0x00, 0x22]), Buffer.alloc(0), Buffer.alloc(100_000, 0xfe)];
  // Each appended as soon as it is made (as the receiver does), in one commit...
  const records = fields.map((f, i) => withEncodedBody({ ...f, id: newDeliveryId(systemClock) }, bodies[i]!));
  const appended = fields.map((f, i) => {
    const r = withEncodedBody({ ...f, id: newDeliveryId(systemClock) }, bodies[i]!);
    return { r, done: log.appendRequest(r) };
  });
  await Promise.all(appended.map((a) => a.done));
  // ...and ones made first and appended later.
  await Promise.all(records.map((r) => log.appendRequest(r)));
  await log.close();
  const all = [...appended.map((a) => a.r), ...records];
  const lines = (await readFile(path.join(dir, LOG_FILE), 'utf8')).split('\n').slice(0, -1);
  expect(lines).toEqual(all.map((r) => JSON.stringify(r)));
  expect(Buffer.from((JSON.parse(lines[0]!) as RequestRecord).bodyBase64, 'base64')).toEqual(bodies[0]);
  const again = await openDeliveryLog(dir, { access: 'read' });
  expect(again.warnings).toEqual([]);
  for (const r of all) expect((await again.load(r.id))?.request).toEqual(JSON.parse(JSON.stringify(r)));
  await again.close();
});
