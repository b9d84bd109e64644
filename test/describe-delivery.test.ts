import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { describeDelivery, plainDescribedLine, rawBodyLines } from '../src/output/describe-delivery.js';
import { statusTone } from '../src/output/tone.js';
import type { OutcomeRecord, RequestRecord } from '../src/store/types.js';

const body = '{"event":"charge.success","data":{"n":1}}';
const request: RequestRecord = {
  kind: 'request',
  id: 'd0001',
  messageId: 'evt_1',
  receivedAt: Date.UTC(2026, 10, 25, 10, 0, 0),
  provider: 'paystack',
  event: 'charge.success',
  method: 'POST',
  path: '/hooks',
  headers: { 'x-paystack-signature': 'abc', 'content-type': 'application/json' },
  bodyBase64: Buffer.from(body).toString('base64'),
  bodySize: body.length,
  signature: { state: 'verified' },
};
const outcome: OutcomeRecord = { kind: 'outcome', id: 'd0001', at: 1, target: 'http://127.0.0.1:3000/hooks', status: 422, headers: { 'content-type': 'text/plain' }, bodyExcerptBase64: Buffer.from('no such order\n').toString('base64'), durationMs: 12, answered: 422 };

describe('describeDelivery', () => {
  it('says what it is, the verdict, the answer, its replays, then the request and its pretty body', () => {
    const lines = describeDelivery({ request, outcome }, [{ id: 'd0002', receivedAt: Date.UTC(2026, 10, 25, 10, 0, 5), source: 'replay', status: 200, answered: 200 }], { rawHint: 'c: raw bytes' });
    expect(lines).toEqual([
      { text: 'charge.success  d0001  (evt_1)  2026-11-25T10:00:00.000Z  paystack', heading: true },
      { text: '✓ signature verified', tone: 'ok' },
      { text: '' },
      { text: 'Response  422 (answered 422)  12 ms  → http://127.0.0.1:3000/hooks', tone: 'warn', heading: true },
      { text: '  content-type: text/plain' },
      { text: '  no such order' },
      { text: '' },
      { text: 'Replays', heading: true },
      { text: '  10:00:05 d0002 replay → 200', tone: 'ok' },
      { text: '' },
      { text: `Request  POST /hooks  ${body.length} bytes`, heading: true },
      { text: '  x-paystack-signature: abc' },
      { text: '  content-type: application/json' },
      { text: '' },
      { text: 'Body (c: raw bytes)', heading: true },
      ...JSON.stringify(JSON.parse(body), null, 2).split('\n').map((l) => ({ text: `  ${l}` })),
    ]);
  });

  it('names a failed or unchecked signature, a replay source, an unanswered delivery and a network error', () => {
    const forged = describeDelivery({ request: { ...request, messageId: undefined, source: 'resend', replayOf: 'd0000', signature: { state: 'failed', reason: 'no matching signature', detail: 'none of 1 matched' } } });
    expect(forged[0]!.text).toBe('charge.success  d0001  2026-11-25T10:00:00.000Z  paystack  [resend of d0000]');
    expect(forged[1]).toEqual({ text: '✗ signature failed: no matching signature (none of 1 matched)', tone: 'fail' });
    expect(forged[3]).toMatchObject({ text: expect.stringMatching(/^Response {2}none yet/), tone: 'warn' });
    expect(forged.find((l) => l.text.startsWith('Body'))!.text).toBe('Body');
    const unknown = describeDelivery({ request: { ...request, signature: { state: 'unknown', detail: 'no secret' } } });
    expect(unknown[1]).toEqual({ text: '? signature not checked: no secret', tone: 'warn' });
    const refused = describeDelivery({ request, outcome: { kind: 'outcome', id: 'd0001', at: 1, target: 'http://127.0.0.1:1/', durationMs: 3, answered: 502, error: { kind: 'refused', message: 'connection refused' } } });
    expect(refused[3]).toMatchObject({ text: 'Response  --- (answered 502)  3 ms  → http://127.0.0.1:1/', tone: 'fail' });
    expect(refused[4]).toEqual({ text: '  connection refused', tone: 'fail' });
  });

  it('escapes every control character that came from outside, in every line', () => {
    const hostile = `evil\u001b]52;c;ZXZpbA==\u0007`;
    const text = `not json ${hostile}\r\n`;
    const lines = describeDelivery({ request: { ...request, event: hostile, headers: { 'x-h': hostile }, bodyBase64: Buffer.from(text).toString('base64') } });
    for (const line of lines) expect(line.text).not.toMatch(/[\u0000-\u001f]/);
    expect(lines[0]!.text).toContain('evil\\x1b]52;c;ZXZpbA==\\x07');
    expect(lines.at(-1)!.text).toBe('  not json evil\\x1b]52;c;ZXZpbA==\\x07\\x0d');
  });

  it("the raw screen's lines: the body as received, unindented, but no control character reaches the terminal", () => {
    const text = '{"a":1,\n "b":"\u001b]52;c;ZXZpbA==\u0007"}';
    expect(rawBodyLines({ request: { ...request, bodyBase64: Buffer.from(text).toString('base64') } })).toEqual([{ text: '{"a":1,' }, { text: ' "b":"\\x1b]52;c;ZXZpbA==\\x07"}' }]);
  });

  it('draws tones as colour and headings in bold on plain lines; nothing without colour', () => {
    const [first, verdict] = describeDelivery({ request });
    expect(plainDescribedLine(new Chalk({ level: 1 }), verdict!)).toBe('\u001b[32m✓ signature verified\u001b[39m');
    expect(plainDescribedLine(new Chalk({ level: 1 }), first!)).toMatch(/^\u001b\[1m/);
    expect(plainDescribedLine(new Chalk({ level: 0 }), verdict!)).toBe('✓ signature verified');
  });
});

describe('statusTone', () => {
  it('2xx ok, 3xx and 4xx warn, 5xx and no answer fail, skipped and pending muted', () => {
    expect([200, 204, 301, 404, 422, 500, 504].map((status) => statusTone({ status }))).toEqual(['ok', 'ok', 'warn', 'warn', 'warn', 'fail', 'fail']);
    expect(statusTone({ error: { message: 'refused' } })).toBe('fail');
    expect(statusTone({ error: 'timed out' })).toBe('fail');
    expect(statusTone({ status: 200, skipped: 'not in --events' })).toBe('muted');
    expect(statusTone({})).toBe('muted');
  });
});
