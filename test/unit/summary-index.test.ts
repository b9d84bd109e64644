import { describe, expect, it } from 'vitest';
import { parseLogRecord, parseLogRecordWithoutBody } from '../../src/store/records.js';
import { SummaryIndex } from '../../src/store/summary-index.js';
import type { OutcomeRecord, RequestRecord } from '../../src/store/types.js';

const request = (id: string, extra: Partial<RequestRecord> = {}): RequestRecord => ({
  kind: 'request',
  id,
  receivedAt: 1_764_000_000_000,
  provider: 'paystack',
  event: 'charge.success',
  method: 'POST',
  path: '/webhooks',
  headers: { 'content-type': 'application/json' },
  bodyBase64: Buffer.from('{"event":"charge.success"}').toString('base64'),
  bodySize: 26,
  signature: { state: 'verified' },
  ...extra,
});
const outcome = (id: string, extra: Partial<OutcomeRecord> = {}): OutcomeRecord => ({ kind: 'outcome', id, at: 1, target: 'http://127.0.0.1:3000/webhooks', status: 200, durationMs: 3.5, answered: 200, ...extra });

describe('SummaryIndex', () => {
  it('gives back each delivery as the summary its records describe', () => {
    const index = new SummaryIndex();
    index.add(request('d1', { messageId: 'msg_1', source: 'trigger' }), 0, 100);
    expect(index.summary(0)).toEqual({ id: 'd1', messageId: 'msg_1', receivedAt: 1_764_000_000_000, provider: 'paystack', event: 'charge.success', method: 'POST', path: '/webhooks', bodySize: 26, signature: 'verified', source: 'trigger' });
    index.add(outcome('d1', { status: undefined, answered: 502, error: { kind: 'refused', message: 'connection refused' } }), 101, 50);
    expect(index.summary(0)).toMatchObject({ target: 'http://127.0.0.1:3000/webhooks', answered: 502, durationMs: 3.5, errorKind: 'refused' });
    expect(index.summary(0)).not.toHaveProperty('status');
    expect(index.place('d1')).toEqual({ requestOffset: 0, requestLength: 100, outcomeOffset: 101, outcomeLength: 50 });
  });

  it('keeps a provider source out of the summary, as it is the default', () => {
    const index = new SummaryIndex();
    index.add(request('d1', { source: 'provider' }), 0, 1);
    expect(index.summary(0)).not.toHaveProperty('source');
  });

  it('grows past its first capacity without losing a row', () => {
    const index = new SummaryIndex();
    for (let i = 0; i < 5000; i++) index.add(request(`d${i}`, { receivedAt: i, bodySize: i }), i * 10, 9);
    for (let i = 0; i < 5000; i += 7) index.add(outcome(`d${i}`, { status: 200 + (i % 300) }), 0, 1);
    expect(index.size).toBe(5000);
    expect(index.summary(4999)).toMatchObject({ id: 'd4999', receivedAt: 4999, bodySize: 4999 });
    expect(index.summary(4998).status).toBe(200 + (4998 % 300));
    expect(index.place('d3000')).toEqual({ requestOffset: 30000, requestLength: 9 });
  });

  it('keeps every row when room is made ahead (reserve) and when rows outgrow it', () => {
    const index = new SummaryIndex();
    index.add(request('d0', { bodySize: 7 }), 0, 1);
    index.reserve(3000);
    for (let i = 1; i < 4000; i++) index.add(request(`d${i}`, { bodySize: i }), i, 1);
    index.reserve(10); // never shrinks
    expect(index.size).toBe(4000);
    expect(index.summary(0).bodySize).toBe(7);
    expect(index.summary(3999)).toMatchObject({ id: 'd3999', bodySize: 3999 });
    expect(index.place('d2500')?.requestOffset).toBe(2500);
  });

  it('tallies answers as they come, and counts a replaced outcome once', () => {
    const index = new SummaryIndex();
    index.add(request('d1'), 0, 1);
    index.add(request('d2', { signature: { state: 'failed', reason: 'no matching signature', detail: 'no match' }, provider: 'koard' }), 0, 1);
    index.add(request('d3'), 0, 1);
    expect(index.tally()).toMatchObject({ total: 3, ok: 0, failed: 0, signatureFailures: 0 });
    index.add(outcome('d1'), 0, 1);
    index.add(outcome('d2', { status: 500, answered: 500 }), 0, 1);
    expect(index.tally()).toMatchObject({ total: 3, ok: 1, failed: 1, signatureFailures: 1 });
    index.add(outcome('d2', { status: 200, answered: 200 }), 0, 1);
    expect(index.tally()).toMatchObject({ ok: 2, failed: 0, signatureFailures: 1 });
    expect([...index.tally().providers]).toEqual(['paystack', 'koard']);
  });

  it('finds deliveries by id, by message id (oldest first) and by a piece of an id', () => {
    const index = new SummaryIndex();
    index.add(request('d-aaa1', { messageId: 'evt_1' }), 0, 1);
    index.add(request('d-bbb2', { messageId: 'evt_1' }), 0, 1);
    index.add(request('d-ccc3'), 0, 1);
    expect(index.resolveId('d-bbb2')).toEqual(['d-bbb2']);
    expect(index.resolveId('evt_1')).toEqual(['d-aaa1', 'd-bbb2']);
    expect(index.resolveId('ccc')).toEqual(['d-ccc3']);
    // Built on first use, then kept up to date.
    index.add(request('d-ddd4', { messageId: 'evt_1' }), 0, 1);
    expect(index.resolveId('evt_1')).toEqual(['d-aaa1', 'd-bbb2', 'd-ddd4']);
    expect(index.resolveId('nothing')).toEqual([]);
  });

  it('lists the replays of a delivery', () => {
    const index = new SummaryIndex();
    index.add(request('d1'), 0, 1);
    index.add(request('d2', { source: 'replay', replayOf: 'd1' }), 0, 1);
    index.add(request('d3', { source: 'resend', replayOf: 'd1' }), 0, 1);
    expect(index.replaysOf('d1').map((s) => [s.id, s.source, s.replayOf])).toEqual([
      ['d2', 'replay', 'd1'],
      ['d3', 'resend', 'd1'],
    ]);
    expect(index.replaysOf('d2')).toEqual([]);
  });

  it('keeps a second request record with a known id as a row of its own; the id names the newest', () => {
    const index = new SummaryIndex();
    index.add(request('d1', { event: 'first' }), 0, 10);
    index.add(request('d1', { event: 'second' }), 11, 10);
    expect(index.size).toBe(2);
    // Its outcome, filed before anything asked where an id is, goes to the newest too.
    index.add(outcome('d1', { status: 202, answered: 202 }), 22, 5);
    expect(index.summaries(0, 2).map((s) => s.status)).toEqual([undefined, 202]);
    expect(index.place('d1')).toEqual({ requestOffset: 11, requestLength: 10, outcomeOffset: 22, outcomeLength: 5 });
    expect(index.summaries(0, 2).map((s) => s.event)).toEqual(['first', 'second']);
    // Once the map of ids is built, later rows keep it current.
    index.add(request('d2'), 33, 10);
    expect(index.place('d2')?.requestOffset).toBe(33);
  });

  it('gives back ids and message ids exactly as they came, whatever their characters, past its first sizes', () => {
    const index = new SummaryIndex();
    const odd = ['evt_é🎉', 'lone \ud800 surrogate', '', 'x'.repeat(5_000)];
    for (let i = 0; i < 3000; i++) index.add(request(`d-${i}-${odd[i % 4]!.slice(0, 10)}`, { messageId: i % 5 === 0 ? undefined : `${odd[i % 4]}#${i}` }), i, 1);
    const summaries = index.summaries(0, index.size);
    expect(summaries.map((s) => s.id)).toEqual(Array.from({ length: 3000 }, (_, i) => `d-${i}-${odd[i % 4]!.slice(0, 10)}`));
    expect(summaries.map((s) => s.messageId)).toEqual(Array.from({ length: 3000 }, (_, i) => (i % 5 === 0 ? undefined : `${odd[i % 4]}#${i}`)));
    expect(index.resolveId(`${odd[1]}#2997`)).toEqual([`d-2997-${odd[1]!.slice(0, 10)}`]);
    expect(index.resolveId('-2999-')).toEqual([`d-2999-${'x'.repeat(10)}`]);
  });

  it('ignores an outcome for a delivery it never saw', () => {
    const index = new SummaryIndex();
    index.add(outcome('ghost'), 0, 1);
    expect(index.size).toBe(0);
    expect(index.tally().failed).toBe(0);
  });
});

describe('parseLogRecordWithoutBody', () => {
  const line = (record: object) => Buffer.from(JSON.stringify(record));

  it('reads a request as parseLogRecord does, with the body left out', () => {
    const record = request('d1', { bodyBase64: Buffer.from('x'.repeat(3000)).toString('base64') });
    const whole = parseLogRecord(JSON.stringify(record));
    expect(parseLogRecordWithoutBody(line(record))).toEqual({ record: { ...('record' in whole ? whole.record : {}), bodyBase64: '' } });
  });

  it('parses the whole line when the body is not plain base64', () => {
    const record = { ...request('d1'), bodyBase64: 'not "base64"\n' };
    expect(parseLogRecordWithoutBody(line(record))).toEqual({ record });
  });

  it('still reports what is wrong with a record', () => {
    expect(parseLogRecordWithoutBody(line({ ...request('d1'), bodySize: -1 }))).toEqual({ problem: expect.stringContaining('bodySize') });
    expect(parseLogRecordWithoutBody(Buffer.from('{"kind":"request","bodyBase64":"abc'))).toEqual({ problem: 'invalid JSON' });
  });

  it('is not fooled by a header named like the body', () => {
    const record = request('d1', { headers: { bodyBase64: 'AAAA' } });
    expect(parseLogRecordWithoutBody(line(record))).toMatchObject({ record: { id: 'd1', event: 'charge.success' } });
  });
});
