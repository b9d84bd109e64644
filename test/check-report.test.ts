import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CaseResult } from '../src/check/run.js';
import { checkRenderer, type CheckEvent } from '../src/reports/check-report.js';
import { recordSink } from './support/record-sink.js';

const pass: CaseResult = { id: 'valid', title: 'a correctly signed delivery is accepted', expected: '2xx', passed: true, got: '200', durationMs: 3 };
const fail = (id: string): CaseResult => ({ id, title: `case ${id}`, expected: '4xx', passed: false, got: 'no answer\u001b[2J', durationMs: 12, explanation: 'the app stopped', fix: 'start it' });
const events: CheckEvent[] = [
  { type: 'start', provider: 'Paystack', url: 'http://127.0.0.1:3000/', event: 'charge.success', cases: 3 },
  { type: 'case', result: pass },
  { type: 'case', result: fail('a') },
  { type: 'case', result: fail('b') },
  { type: 'summary', provider: 'paystack', url: 'http://127.0.0.1:3000/', cases: 3, passed: 1, failed: 2 },
];

describe('check renderers', () => {
  it('plain: the heading, a line per case, why and fix once for a repeated reason, the verdict', async () => {
    const out = recordSink();
    events.forEach(await checkRenderer(out));
    expect(out.written).toEqual([
      ['line', 'webhook check Paystack → http://127.0.0.1:3000/ (charge.success, 3 cases)'],
      ['line', `  pass  ${pass.title.padEnd(52)} expect 2xx  got 200                3 ms`],
      ['line', `  FAIL  ${'case a'.padEnd(52)} expect 4xx  got no answer\\x1b[2J    12 ms`],
      ['line', '        why: the app stopped'],
      ['line', '        fix: start it'],
      ['line', `  FAIL  ${'case b'.padEnd(52)} expect 4xx  got no answer\\x1b[2J    12 ms`],
      ['line', '        why: the same as above'],
      ['line', '2 of 3 cases fail'],
    ]);
  });

  it('plain: one case that passes, all that pass', async () => {
    const one = recordSink();
    (await checkRenderer(one))({ type: 'summary', provider: 'paystack', url: 'u', cases: 1, passed: 1, failed: 0 });
    const all = recordSink();
    (await checkRenderer(all))({ type: 'summary', provider: 'paystack', url: 'u', cases: 7, passed: 7, failed: 0 });
    expect([one.written, all.written]).toEqual([[['line', 'the case passes']], [['line', 'all 7 cases pass']]]);
  });

  it('NDJSON: a record per case (explanation and fix null when passed), then the summary; no heading', async () => {
    const out = recordSink({ json: true });
    events.forEach(await checkRenderer(out));
    expect(out.written.map(([, value]) => value)).toEqual([
      { type: 'case', ...pass, explanation: null, fix: null },
      { type: 'case', ...fail('a') },
      { type: 'case', ...fail('b') },
      { type: 'summary', provider: 'paystack', url: 'http://127.0.0.1:3000/', cases: 3, passed: 1, failed: 2 },
    ]);
  });

  it('--junit: the file is written at the summary, a failure per failing case', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'check-report-'));
    try {
      const file = path.join(dir, 'out', 'check.xml');
      const render = await checkRenderer(recordSink({ json: true }), { file, provider: 'paystack' });
      events.slice(0, -1).forEach(render);
      await expect(readFile(file, 'utf8')).rejects.toThrow(/ENOENT/);
      render(events.at(-1)!);
      const xml = await readFile(file, 'utf8');
      expect(xml).toContain('<testsuite name="webhook check paystack"');
      expect(xml.match(/<failure /g)).toHaveLength(2);
      expect(xml).toContain('Fix: start it');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
