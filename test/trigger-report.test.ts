import { describe, expect, it } from 'vitest';
import type { DeliveryOutcome } from '../src/send-outcome.js';
import { triggerRenderer, type TriggerEvent } from '../src/reports/trigger-report.js';
import { recordSink } from './support/record-sink.js';

const ok: DeliveryOutcome = { event: 'charge.success', provider: 'paystack', url: 'http://127.0.0.1:3000/', status: 200, ok: true, durationMs: 5, id: 'd0001', messageId: 'ref_1' };
const events: TriggerEvent[] = [
  { type: 'warning', message: 'the session file is not valid' },
  { type: 'delivery', outcome: ok },
  { type: 'delivery', outcome: { ...ok, status: 422, ok: false, id: 'ref_2', messageId: 'ref_2', bodyExcerpt: 'no such order\u001b[2J' } },
  { type: 'delivery', outcome: { ...ok, status: undefined, ok: false, id: '', messageId: undefined, error: { kind: 'refused', message: 'connection refused' } } },
  { type: 'delivery', outcome: { ...ok, status: 200, skipped: 'not in --events charge.failed' } },
  { type: 'not-forwarded', event: 'charge.success', pid: 42, events: ['charge.failed'] },
];

describe('trigger renderers', () => {
  it('plain: a line per delivery with its excerpt or error below, escaped; warnings and the session note on stderr', () => {
    const out = recordSink();
    events.forEach(triggerRenderer(out));
    expect(out.written).toEqual([
      ['warn', 'the session file is not valid'],
      ['line', '✓ 200 paystack charge.success → http://127.0.0.1:3000/  5 ms  d0001 (ref_1)'],
      ['line', '✗ 422 paystack charge.success → http://127.0.0.1:3000/  5 ms  ref_2'],
      ['line', '  no such order\\x1b[2J'],
      ['line', '✗ --- paystack charge.success → http://127.0.0.1:3000/  5 ms'],
      ['line', '  connection refused'],
      ['line', '– skipped paystack charge.success → http://127.0.0.1:3000/  d0001'],
      ['line', '  not forwarded: not in --events charge.failed'],
      ['note', 'the running listen session (pid 42) forwards only --events charge.failed: charge.success was answered 200 and logged there, but not sent to your app; restart listen with charge.success in --events (or without --events), or send straight to your app with --to <url>'],
    ]);
  });

  it('the status is coloured by its class (a 422 yellow, as listen and the view show it), the mark by the verdict', () => {
    const out = recordSink({ color: true });
    triggerRenderer(out)(events[2]!);
    expect(out.written[0]![1]).toMatch(/^\u001b\[31m✗\u001b\[39m \u001b\[33m422\u001b\[39m /);
  });

  it('NDJSON: one record per delivery without the excerpt, status null when none came; warnings and notes on stderr', () => {
    const out = recordSink({ json: true });
    events.forEach(triggerRenderer(out));
    expect(out.written.map(([kind]) => kind)).toEqual(['warn', 'record', 'record', 'record', 'record', 'note']);
    expect(out.written[2]![1]).toEqual({ event: 'charge.success', provider: 'paystack', url: 'http://127.0.0.1:3000/', status: 422, ok: false, durationMs: 5, id: 'ref_2', messageId: 'ref_2' });
    expect(out.written[3]![1]).toMatchObject({ status: null, error: { kind: 'refused', message: 'connection refused' } });
  });
});
