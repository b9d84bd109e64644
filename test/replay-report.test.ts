import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { percentile, type ReplayResult } from '../src/delivery/replay.js';
import { createSink } from '../src/output/sink.js';
import { progressReporter } from '../src/reports/replay-report.js';
import type { Streams } from '../src/output/terminal.js';

function capture(): { streams: Streams; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: true });
  let o = '';
  let e = '';
  stdout.on('data', (d: Buffer) => (o += d.toString()));
  stderr.on('data', (d: Buffer) => (e += d.toString()));
  return { streams: { stdout, stderr, stdin: new PassThrough() }, out: () => o, err: () => e };
}

const result = (index: number, passed: boolean): ReplayResult => ({ index, file: `f${index}.json`, event: 'charge.success', provider: 'paystack', status: passed ? 200 : 500, passed, expected: '2xx', durationMs: 3, id: 'evt_1' });

describe('replay reporters', () => {
  it('on a terminal: a progress line on stderr, failures and the summary on stdout', async () => {
    const io = capture();
    let t = 0;
    const reporter = progressReporter(createSink(io.streams, { color: false, interactive: true }, {}), io.streams, { now: () => 0, monotonic: () => (t += 100) });
    reporter.start({ total: 3, url: 'http://x/' });
    reporter.result(result(0, true));
    reporter.result(result(1, false));
    reporter.result(result(2, true));
    await reporter.finish({ sent: 3, passed: 2, failed: 1, skipped: 0, p50Ms: 3, p95Ms: 3, durationMs: 9, interrupted: false });
    await new Promise((r) => setImmediate(r));
    expect(io.err()).toContain('\r\x1b[2K[████████████████░░░░░░░░] 2/3  1 failed');
    expect(io.err()).toContain('3/3  1 failed');
    expect(io.out()).toBe('✗ 500 (expected 2xx) paystack charge.success  f1.json  3 ms\nsent 3, passed 2, failed 1, p50 3 ms, p95 3 ms\n');
  });

  it('percentiles by nearest rank', () => {
    const sorted = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(percentile(sorted, 50)).toBe(5);
    expect(percentile(sorted, 95)).toBe(10);
    expect(percentile(new Float64Array(0), 50)).toBe(0);
  });
});
