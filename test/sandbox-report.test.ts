import { describe, expect, it } from 'vitest';
import { sandboxRenderer, type SandboxEvent } from '../src/reports/sandbox-report.js';
import type { SandboxDelivery } from '../src/sandbox/state.js';
import { recordSink } from './support/record-sink.js';

const delivery = (state: SandboxDelivery['state'], nextAttemptAt?: string): SandboxDelivery => ({
  id: 'dlv_1',
  eventId: 'evt_1',
  event: 'transaction.completed\u001b[2J',
  provider: 'paykore',
  endpointId: 'wh_1',
  url: 'http://127.0.0.1:3000/hooks',
  state,
  attempts: [],
  nextAttemptAt,
  createdAt: '2026-11-25T10:00:00.000Z',
});
const schedule = { mode: 'default', attempts: 9, retryDelaysMs: [1000, 2000] };
const events: SandboxEvent[] = [
  { type: 'ready', url: 'http://127.0.0.1:4010', deliverAs: undefined, schedule, timeScale: 0.01 },
  { type: 'attempt', delivery: delivery('retrying', '2026-11-25T10:00:01.000Z'), attempt: { attempt: 1, at: '2026-11-25T10:00:00.000Z', status: 422, durationMs: 4 }, maxAttempts: 9 },
  { type: 'attempt', delivery: delivery('retrying', '2026-11-25T10:00:03.000Z'), attempt: { attempt: 2, at: '2026-11-25T10:00:01.000Z', durationMs: 5, error: 'connection refused' }, maxAttempts: 9 },
  { type: 'attempt', delivery: delivery('succeeded'), attempt: { attempt: 3, at: '2026-11-25T10:00:03.000Z', status: 200, durationMs: 2, manual: true }, maxAttempts: 9 },
  { type: 'endpoint', endpointId: 'wh_1', url: 'http://127.0.0.1:3000/hooks', status: 'disabled', failingSince: '2026-11-20T10:00:00.000Z', disabledAt: '2026-11-25T10:00:04.000Z', afterMs: 5 * 86_400_000 },
  { type: 'warning', message: 'state file unreadable' },
  { type: 'stopped' },
];

describe('sandbox renderers', () => {
  it('plain: the ready line and how to use it, a line per attempt (escaped) and per disabled endpoint', () => {
    const out = recordSink();
    events.forEach(sandboxRenderer(out));
    expect(out.written).toEqual([
      ['line', 'sandbox listening on http://127.0.0.1:4010'],
      ['note', 'retries: 9 attempts in all, delays scaled by 0.01'],
      ['note', `register: curl -s http://127.0.0.1:4010/v1/webhooks -H 'X-API-Key: sk_test_0123456789' -d '{"url":"http://localhost:3000/webhooks"}'`],
      ['note', 'stop with Ctrl-C'],
      ['line', '10:00:00 transaction.completed\\x1b[2J → http://127.0.0.1:3000/hooks attempt 1/9 422 4 ms retrying next 2026-11-25T10:00:01.000Z'],
      ['line', '10:00:01 transaction.completed\\x1b[2J → http://127.0.0.1:3000/hooks attempt 2/9 --- 5 ms retrying next 2026-11-25T10:00:03.000Z  connection refused'],
      ['line', '10:00:03 transaction.completed\\x1b[2J → http://127.0.0.1:3000/hooks attempt 3/9 (manual) 200 2 ms succeeded'],
      ['line', '10:00:04 endpoint disabled http://127.0.0.1:3000/hooks: every attempt failed since 2026-11-20T10:00:00.000Z (5 days); enable it with POST /v1/target/enable'],
      ['warn', 'state file unreadable'],
      ['note', 'sandbox stopped'],
    ]);
  });

  it('plain colours statuses by the one rule: 422 yellow (as listen and the view show it), no answer red, 200 green', () => {
    const out = recordSink({ color: true });
    events.slice(1, 4).forEach(sandboxRenderer(out));
    expect(out.written.map(([, text]) => text)).toEqual([expect.stringContaining(' \u001b[33m422\u001b[39m '), expect.stringContaining(' \u001b[31m---\u001b[39m '), expect.stringContaining(' \u001b[32m200\u001b[39m ')]);
  });

  it('NDJSON: ready, attempt and endpoint records, exact; warnings on stderr; nothing when stopped', () => {
    const out = recordSink({ json: true });
    events.forEach(sandboxRenderer(out));
    expect(out.written.map(([kind]) => kind)).toEqual(['record', 'record', 'record', 'record', 'record', 'warn']);
    expect(out.written[0]![1]).toEqual({ type: 'ready', url: 'http://127.0.0.1:4010', deliverAs: null, retryMode: 'default', maxAttempts: 9, retryDelaysMs: [1000, 2000] });
    expect(out.written[2]![1]).toEqual({ type: 'attempt', delivery: 'dlv_1', event: 'transaction.completed\u001b[2J', eventId: 'evt_1', endpoint: 'wh_1', url: 'http://127.0.0.1:3000/hooks', attempt: 2, maxAttempts: 9, manual: false, status: null, durationMs: 5, error: 'connection refused', state: 'retrying', nextAttemptAt: '2026-11-25T10:00:03.000Z' });
    expect(out.written[4]![1]).toEqual({ type: 'endpoint', endpoint: 'wh_1', url: 'http://127.0.0.1:3000/hooks', status: 'disabled', failingSince: '2026-11-20T10:00:00.000Z', disabledAt: '2026-11-25T10:00:04.000Z' });
  });
});
