import { describe, expect, it } from 'vitest';
import { demoOutput, type DemoEvent } from '../src/reports/demo-report.js';
import type { RequestRecord } from '../src/store/types.js';
import { recordSink } from './support/record-sink.js';

const request: RequestRecord = { kind: 'request', id: 'd0001', receivedAt: Date.UTC(2026, 10, 25, 10, 0, 0), provider: 'koard', event: 'batch.completed', method: 'POST', path: '/', headers: {}, bodyBase64: '', bodySize: 0, signature: { state: 'verified' } };
const summary = { deliveries: 9, verified: 8, forged: 1, rejectedByApp: 1, forwarded: 9 };
const events: DemoEvent[] = [
  { type: 'registration', state: 'registered', endpointId: 'wh_1', url: 'http://127.0.0.1:4001' },
  { type: 'ready', tunnel: { kind: 'loopback' }, localUrl: 'http://127.0.0.1:4001', publicUrl: undefined, endpointId: 'wh_1', endpointKept: false, forwardTo: 'http://127.0.0.1:3000/webhooks/paykore', provider: 'paykore', secret: undefined, secretShown: false },
  { type: 'tunnel', state: 'up' },
  { type: 'started', app: 'http://127.0.0.1:3000', sandbox: 'http://127.0.0.1:4010', store: '/s', sessions: [{ localUrl: 'http://127.0.0.1:4001', publicUrl: undefined }] },
  { type: 'delivery', request, outcome: { kind: 'outcome', id: 'd0001', at: 1, target: 'http://127.0.0.1:3000/webhooks/koard', status: 200, durationMs: 1, answered: 200 } },
  { type: 'played', summary, ok: true, store: '/s', run: 'webhook' },
  { type: 'registration', state: 'deleted', endpointId: 'wh_1' },
  { type: 'next', store: '/s', run: 'webhook' },
];

describe('demo renderers', () => {
  it("plain: listen's lines for the sessions (not their own ready and tunnel lines), with a provider column; the result; how to go on", () => {
    const out = recordSink();
    events.forEach(demoOutput(out, { interactive: false }).render);
    expect(out.written).toEqual([
      ['note', 'registered wh_1 for http://127.0.0.1:4001'],
      ['note', 'demo app http://127.0.0.1:3000, PayKore sandbox http://127.0.0.1:4010, log /s'],
      ['line', 'koard    10:00:00  batch.completed  ✓ verified  200 1 ms  d0001'],
      ['line', ''],
      ['line', 'demo ok: 9 deliveries, 8 verified, 1 forged (flagged ✗), 1 refused by the app on purpose, 9 forwarded and logged'],
      ['note', 'deleted endpoint wh_1'],
      ['line', 'next: webhook log --store /s   ·   webhook listen --help   ·   docs/ in the package'],
    ]);
  });

  it('NDJSON: the demo ready record, the deliveries and the summary, nothing else', () => {
    const out = recordSink({ json: true });
    events.forEach(demoOutput(out, { interactive: false }).render);
    expect(out.written.map(([, value]) => (value as { type: string }).type)).toEqual(['ready', 'delivery', 'summary']);
    expect(out.written[0]![1]).toEqual({ type: 'ready', app: 'http://127.0.0.1:3000', sandbox: 'http://127.0.0.1:4010', store: '/s', sessions: [{ localUrl: 'http://127.0.0.1:4001', publicUrl: null }] });
    expect(out.written[2]![1]).toEqual({ type: 'summary', ...summary, ok: true });
  });

  it('on a terminal: the view gets the notices and, once played, what to try next; plain lines before and after it', () => {
    const out = recordSink();
    const output = demoOutput(out, { interactive: true });
    const calls: unknown[] = [];
    output.render(events[0]!);
    output.render(events[3]!);
    output.showIn({ setStatus: (s) => void calls.push(['status', s]), notice: (level, text) => void calls.push([level, text]) });
    events.slice(4, 6).forEach(output.render);
    output.render({ type: 'warning', message: 'slow' });
    output.showIn(undefined);
    events.slice(6).forEach(output.render);
    expect(calls).toEqual([['status', { note: 'done · in another terminal: WEBHOOK_STORE=/s webhook trigger kyc.verified' }], ['warn', 'slow']]);
    expect(out.written).toEqual([
      ['note', 'registered wh_1 for http://127.0.0.1:4001'],
      ['note', 'deleted endpoint wh_1'],
      ['line', 'next: webhook log --store /s   ·   webhook listen --help   ·   docs/ in the package'],
    ]);
  });
});
