import type { ReplayReporter, ReplayResult, ReplaySummary } from '../delivery/replay.js';
import { printable } from '../output/printable.js';
import { loadJUnit, writeJUnitFile } from '../output/junit.js';
import type { Clock } from '../clock.js';
import type { OutputSink } from '../output/sink.js';
import type { Streams } from '../output/terminal.js';

function describeResult(out: OutputSink, r: ReplayResult): string[] {
  const { style } = out;
  const mark = r.passed ? style.green('✓') : style.red('✗');
  const status = r.status === undefined ? style.red('---') : r.passed ? style.green(String(r.status)) : style.red(String(r.status));
  const expected = r.passed ? '' : style.red(` (expected ${r.expected})`);
  const lines = [`${mark} ${status}${expected} ${r.provider} ${style.bold(printable(r.event))}  ${style.dim(printable(r.file))}  ${r.durationMs} ms`];
  if (!r.passed && r.error) lines.push(`  ${style.red(printable(r.error.message))}`);
  if (!r.passed && r.bodyExcerpt) lines.push(`  ${style.dim(r.bodyExcerpt)}`);
  return lines;
}

function describeSummary(s: ReplaySummary): string {
  return `sent ${s.sent}, passed ${s.passed}, failed ${s.failed}${s.skipped ? `, skipped ${s.skipped}` : ''}, p50 ${s.p50Ms.toFixed(0)} ms, p95 ${s.p95Ms.toFixed(0)} ms${s.interrupted ? ' (interrupted)' : ''}`;
}

function summaryLine(out: OutputSink, s: ReplaySummary): string {
  const text = describeSummary(s);
  return s.failed === 0 && !s.interrupted ? out.style.green(text) : out.style.red(text);
}

/** Said on stderr when the run is interrupted. */
const INTERRUPTED_NOTE = 'interrupted: nothing more is sent; writing the report (press Ctrl-C again to quit at once)';

/** One line per fixture (the default off a TTY), details under failures, then the summary; fixtures skipped by an interrupt only count in the summary. */
export function plainReporter(out: OutputSink): ReplayReporter {
  return {
    start: ({ total, url }) => out.note(`replaying ${total} fixture${total === 1 ? '' : 's'} to ${url}`),
    result: (r) => {
      if (!r.skipped) for (const l of describeResult(out, r)) out.line(l);
    },
    interrupted: () => out.note(INTERRUPTED_NOTE),
    finish: (s) => out.line(summaryLine(out, s)),
  };
}

/** A progress line on the terminal's stderr; failures are printed above it as they come. */
export function progressReporter(out: OutputSink, streams: Streams, clock: Clock): ReplayReporter {
  const width = 24;
  let total = 0;
  let done = 0;
  let failed = 0;
  let drawnAt = -Infinity;
  const clear = () => streams.stderr.write('\r\x1b[2K');
  const draw = (force = false) => {
    const now = clock.monotonic();
    if (!force && now - drawnAt < 80) return;
    drawnAt = now;
    const filled = total ? Math.round((done / total) * width) : 0;
    clear();
    streams.stderr.write(`[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total}${failed ? out.style.red(`  ${failed} failed`) : ''}`);
  };
  return {
    start: (info) => {
      total = info.total;
      draw(true);
    },
    result: (r) => {
      done++;
      if (!r.passed && !r.skipped) {
        failed++;
        clear();
        for (const l of describeResult(out, r)) out.line(l);
        draw(true);
      } else draw();
    },
    interrupted: () => {
      clear();
      out.note(INTERRUPTED_NOTE);
      draw(true);
    },
    finish: (s) => {
      clear();
      out.line(summaryLine(out, s));
    },
  };
}

/** NDJSON: {"type":"result",...} per fixture (with "skipped": true when an interrupt left it unfinished), then {"type":"summary",...}. */
export function jsonReporter(out: OutputSink): ReplayReporter {
  return {
    start: () => undefined,
    result: ({ index: _index, ...r }) => out.record({ type: 'result', ...r, status: r.status ?? null }),
    finish: (s) => out.record({ type: 'summary', ...s }),
  };
}

/**
 * JUnit XML for CI: one <testsuite> per provider, one <testcase> per fixture, <failure> when the
 * expectation failed, <skipped> when an interrupt left it unfinished. The file is replaced whole
 * (never half written); on an interrupt a report of what finished so far is written at once, with
 * one skipped case counting the unfinished rest, so a second Ctrl-C still leaves a valid file.
 */
export async function junitReporter(file: string): Promise<ReplayReporter> {
  const newBuilder = await loadJUnit();
  const results: ReplayResult[] = [];
  const write = (unfinished: number) => {
    const builder = newBuilder('webhook replay');
    const suites = new Map<string, ReturnType<typeof builder.testSuite>>();
    for (const r of results) {
      let suite = suites.get(r.provider);
      if (!suite) {
        suite = builder.testSuite().name(`webhook replay ${r.provider}`);
        suites.set(r.provider, suite);
      }
      const testCase = suite.testCase().className(r.provider).name(`${r.event} (${r.file})`).file(r.file).time(r.durationMs / 1000);
      if (r.skipped) testCase.skipped().standardOutput(r.id ? 'interrupted while waiting for the answer' : 'interrupted before it was sent');
      else if (!r.passed) {
        const got = r.status === undefined ? (r.error?.message ?? 'no answer') : `got ${r.status}`;
        testCase.failure(`expected ${r.expected}, ${got}${r.bodyExcerpt ? `: ${r.bodyExcerpt}` : ''}`, r.status === undefined ? 'NoAnswer' : 'UnexpectedStatus');
      }
    }
    if (unfinished > 0) {
      builder.testSuite().name('webhook replay (interrupted)').testCase().className('webhook replay').name(`${unfinished} fixture${unfinished === 1 ? '' : 's'} not finished: interrupted`).skipped();
    }
    writeJUnitFile(file, builder);
  };
  return {
    start: () => undefined,
    result: (r) => {
      results.push(r);
    },
    interrupted: ({ reported, total }) => write(total - reported),
    finish: () => write(0),
  };
}

/** Several reporters as one. */
export function combineReporters(reporters: readonly ReplayReporter[]): ReplayReporter {
  return {
    start: (info) => {
      for (const r of reporters) r.start(info);
    },
    result: (result) => {
      for (const r of reporters) r.result(result);
    },
    interrupted: (progress) => {
      for (const r of reporters) r.interrupted?.(progress);
    },
    finish: async (summary) => {
      for (const r of reporters) await r.finish(summary);
    },
  };
}
