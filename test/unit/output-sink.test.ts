/**
 * listen's batched output against a reader that stops reading: memory stays bounded (lines past
 * the limit are dropped, not queued), and when the reader catches up it is told how many it missed.
 */
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createSink } from '../../src/output/sink.js';

/** A real writable whose reader has stalled: nothing it is given is taken until `release()`. */
function stalledReader() {
  const taken: string[] = [];
  let held: (() => void)[] = [];
  const stdout = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _encoding, done) {
      taken.push(chunk.toString());
      held.push(done);
    },
  });
  return {
    stdout,
    taken,
    release() {
      // Each release lets the next buffered write through: take them all.
      while (held.length > 0) {
        const waiting = held;
        held = [];
        for (const done of waiting) done();
      }
    },
  };
}

describe('batched output (listen)', () => {
  it('drops batches while the reader is further behind than the limit, then says how many lines it missed', () => {
    const reader = stalledReader();
    const stderr = new PassThrough();
    let warnings = '';
    stderr.on('data', (d: Buffer) => (warnings += d.toString()));
    const out = createSink({ stdout: reader.stdout, stderr, stdin: new PassThrough() }, { color: false, interactive: false }, { json: true, batch: true, maxQueuedBytes: 100 });
    const line = (n: number) => ({ type: 'delivery', n, pad: 'x'.repeat(40) });
    out.record(line(1));
    out.record(line(2));
    out.flush(); // ~120 bytes: written, and not taken
    expect(reader.stdout.writableLength).toBeGreaterThan(100);
    for (let n = 3; n <= 5; n++) out.record(line(n));
    out.flush(); // the reader is behind: these three are dropped, not queued
    out.record(line(6));
    out.flush();
    const queued = reader.stdout.writableLength;
    expect(queued).toBeLessThan(200);
    reader.release();
    expect(reader.stdout.writableLength).toBe(0);
    out.record(line(7));
    out.flush();
    reader.release();
    const lines = reader.taken.join('').trim().split('\n').map((l) => JSON.parse(l) as { type: string; n?: number; lines?: number });
    expect(lines.map((l) => l.n ?? l.type)).toEqual([1, 2, 'output-dropped', 7]);
    expect(lines[2]).toEqual({ type: 'output-dropped', lines: 4 });
    expect(warnings).toBe("warning: stdout's reader fell behind: 4 lines not printed (every delivery is in the log: webhook log)\n");
  });
});
