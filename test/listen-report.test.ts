import { describe, expect, it } from 'vitest';
import type { ListenEvent } from '../src/listen-events.js';
import { jsonListenRenderer, type ListenReport, listenOutput, plainListenRenderer, viewListenRenderer } from '../src/reports/listen-report.js';
import type { OutcomeRecord, RequestRecord } from '../src/store/types.js';
import { recordSink } from './support/record-sink.js';

const request: RequestRecord = {
  kind: 'request',
  id: 'd0001',
  receivedAt: Date.UTC(2026, 10, 25, 10, 0, 0),
  provider: 'paystack',
  event: 'charge.success',
  method: 'POST',
  path: '/',
  headers: {},
  bodyBase64: '',
  bodySize: 0,
  signature: { state: 'verified' },
};
const outcome: OutcomeRecord = { kind: 'outcome', id: 'd0001', at: 1, target: 'http://127.0.0.1:3000/', status: 422, durationMs: 4.4, answered: 422 };
const ready: ListenEvent = { type: 'ready', tunnel: { kind: 'none' }, localUrl: 'http://127.0.0.1:4000', publicUrl: 'https://x.example', endpointId: 'wh_1', endpointKept: false, forwardTo: 'http://127.0.0.1:3000/', provider: 'paystack', secret: 'sk_…1234', secretShown: false };
const events: ListenEvent[] = [
  ready,
  { type: 'delivery', request, outcome },
  { type: 'registration', state: 'registered', endpointId: 'wh_1', url: 'https://x.example' },
  { type: 'tunnel', state: 'down', reason: 'gone\u001b[2J' },
  { type: 'catch-up', delivery: 'dlv_1', event: 'charge.success', state: 'asked' },
  { type: 'warning', message: 'careful' },
];

describe('listen renderers', () => {
  it('plain: the ready block and delivery lines on stdout, the rest as notes and warnings, escaped', () => {
    const out = recordSink();
    events.forEach(plainListenRenderer(out, { provider: 'Paystack' }));
    expect(out.written).toEqual([
      ['line', 'ready Paystack → http://127.0.0.1:3000/'],
      ['line', '  local   http://127.0.0.1:4000'],
      ['line', '  public  https://x.example'],
      ['line', '  endpoint wh_1 (deleted on exit)'],
      ['line', '  secret  sk_…1234  (--print-secret to show)'],
      ['line', '10:00:00  charge.success  ✓ verified  422 4 ms  d0001'],
      ['note', 'registered wh_1 for https://x.example'],
      ['warn', 'tunnel down: gone\\x1b[2J'],
      ['note', 'catch-up: asked Paystack to retry charge.success (dlv_1)'],
      ['warn', 'careful'],
    ]);
  });

  it('plain with a provider column (demo): each delivery line starts with its provider', () => {
    const out = recordSink();
    plainListenRenderer(out, { provider: 'all', providerColumn: true })({ type: 'delivery', request, outcome });
    expect(out.written).toEqual([['line', 'paystack 10:00:00  charge.success  ✓ verified  422 4 ms  d0001']]);
  });

  it('plain colours the status by its class: a 422 is yellow, as in the view', () => {
    const out = recordSink({ color: true });
    plainListenRenderer(out, { provider: 'Paystack' })({ type: 'delivery', request, outcome });
    expect(out.written[0]![1]).toContain('\u001b[33m422\u001b[39m');
  });

  it('NDJSON: the ready record without the hidden secret, a delivery record, every other event as it is', () => {
    const out = recordSink({ json: true });
    events.forEach(jsonListenRenderer(out));
    expect(out.written.map(([kind]) => kind)).toEqual(Array(events.length).fill('record'));
    expect(out.written[0]![1]).toEqual({ type: 'ready', localUrl: 'http://127.0.0.1:4000', publicUrl: 'https://x.example', endpointId: 'wh_1', endpointKept: false, forwardTo: 'http://127.0.0.1:3000/', provider: 'paystack', tunnel: { kind: 'none' } });
    expect(out.written[1]![1]).toMatchObject({ type: 'delivery', id: 'd0001', status: 422, signature: 'verified' });
    expect(out.written.slice(2).map(([, value]) => value)).toEqual(events.slice(2));
  });

  it('the view: status bar updates and notices, escaped; no delivery lines (it reads the log)', () => {
    const calls: unknown[] = [];
    const view = { setStatus: (s: object) => void calls.push(['status', s]), notice: (level: string, text: string) => void calls.push([level, text]) };
    events.forEach(viewListenRenderer(view, { provider: 'Paystack' }));
    expect(calls).toEqual([
      ['status', { registration: 'wh_1 registered' }],
      ['info', 'registered wh_1 for https://x.example'],
      ['status', { tunnel: 'down (gone\\x1b[2J)' }],
      ['warn', 'tunnel down: gone\\x1b[2J'],
      ['info', 'catch-up: asked Paystack to retry charge.success (dlv_1)'],
      ['warn', 'careful'],
    ]);
  });

  it('the notes before the session starts: on stderr, in the notice area, not in NDJSON', () => {
    const before: ListenReport[] = [
      { type: 'note', text: 'local only: --tunnel cloudflared for a public URL' },
      { type: 'unverified', provider: 'paystack', envVar: 'PAYSTACK_SECRET_KEY' },
    ];
    const plain = recordSink();
    before.forEach(plainListenRenderer(plain, { provider: 'Paystack' }));
    expect(plain.written).toEqual([
      ['note', 'local only: --tunnel cloudflared for a public URL'],
      ['note', 'no paystack secret: deliveries are forwarded but not verified (pass --secret-file <path> or set PAYSTACK_SECRET_KEY)'],
    ]);
    const json = recordSink({ json: true });
    before.forEach(jsonListenRenderer(json));
    expect(json.written).toEqual([]);
    const notices: string[] = [];
    before.forEach(viewListenRenderer({ setStatus: () => undefined, notice: (level, text) => void notices.push(`${level}: ${text}`) }, { provider: 'Paystack' }));
    expect(notices).toEqual(['info: local only: --tunnel cloudflared for a public URL', expect.stringMatching(/^info: no paystack secret/)]);
  });

  it('listenOutput: plain lines, the view while it is up, plain lines again after', () => {
    const out = recordSink();
    const output = listenOutput(out, { provider: 'Paystack' });
    const notices: string[] = [];
    output.render({ type: 'warning', message: 'one' });
    output.showIn({ setStatus: () => undefined, notice: (_level, text) => void notices.push(text) });
    output.render({ type: 'warning', message: 'two' });
    output.render({ type: 'delivery', request, outcome });
    output.showIn(undefined);
    output.render({ type: 'warning', message: 'three' });
    expect(out.written).toEqual([['warn', 'one'], ['warn', 'three']]);
    expect(notices).toEqual(['two']);
  });
});
