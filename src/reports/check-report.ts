import type { CaseResult } from '../check/run.js';
import { countOf } from '../quantity.js';
import { loadJUnit, writeJUnitFile } from '../output/junit.js';
import { printable } from '../output/printable.js';
import type { OutputSink } from '../output/sink.js';

/** What `check` reports; renderers draw these. */
export type CheckEvent =
  | { readonly type: 'start'; readonly provider: string; readonly url: string; readonly event: string | undefined; readonly cases: number }
  | { readonly type: 'case'; readonly result: CaseResult }
  | { readonly type: 'summary'; readonly provider: string; readonly url: string; readonly cases: number; readonly passed: number; readonly failed: number };

/** Draws check's events. */
export type CheckRenderer = (event: CheckEvent) => void;

/** A heading, a line per case with why and how to fix a failure, then the verdict. */
function plainCheckRenderer(out: OutputSink): CheckRenderer {
  const { style } = out;
  // When the app has stopped, every later case fails for the same reason: said once.
  let previousWhy: string | undefined;
  return (event) => {
    if (event.type === 'start') {
      out.line(style.bold(`webhook check ${event.provider} → ${event.url} (${event.event ?? 'generic body'}, ${countOf(event.cases, 'case')})`));
    } else if (event.type === 'case') {
      const r = event.result;
      const mark = r.passed ? style.green('pass') : style.red('FAIL');
      out.line(`  ${mark}  ${r.title.padEnd(52)} expect ${r.expected}  got ${printable(r.got).padEnd(14)} ${String(r.durationMs).padStart(5)} ms`);
      if (!r.passed && r.explanation === previousWhy) {
        out.line(`        ${style.red('why:')} the same as above`);
      } else if (!r.passed) {
        out.line(`        ${style.red('why:')} ${printable(r.explanation ?? '')}`);
        out.line(`        ${style.yellow('fix:')} ${r.fix}`);
      }
      previousWhy = r.passed ? undefined : r.explanation;
    } else {
      const { cases, failed } = event;
      out.line(failed === 0 ? style.green(cases === 1 ? 'the case passes' : `all ${cases} cases pass`) : style.red(`${failed} of ${countOf(cases, 'case')} ${failed === 1 ? 'fails' : 'fail'}`));
    }
  };
}

/** NDJSON: {"type":"case",...} per case, then {"type":"summary",...}. */
function jsonCheckRenderer(out: OutputSink): CheckRenderer {
  return (event) => {
    if (event.type === 'case') out.record({ type: 'case', ...event.result, explanation: event.result.explanation ?? null, fix: event.result.fix ?? null });
    else if (event.type === 'summary') out.record(event);
  };
}

/** JUnit XML for CI: one <testcase> per case, <failure> with why and the fix; the file is replaced whole at the summary. */
async function junitCheckRenderer(file: string, provider: string): Promise<CheckRenderer> {
  const newBuilder = await loadJUnit();
  const results: CaseResult[] = [];
  return (event) => {
    if (event.type === 'case') results.push(event.result);
    if (event.type !== 'summary') return;
    const builder = newBuilder('webhook check');
    const suite = builder.testSuite().name(`webhook check ${provider}`);
    for (const r of results) {
      const testCase = suite.testCase().className(`webhook.check.${provider}`).name(r.title).time(r.durationMs / 1000);
      if (!r.passed) testCase.failure(`expected ${r.expected}, got ${r.got}: ${r.explanation} Fix: ${r.fix}`, r.id);
    }
    writeJUnitFile(file, builder);
  };
}

/** The one place check chooses: NDJSON with --json, else plain lines; and a JUnit file with --junit. */
export async function checkRenderer(out: OutputSink, junit?: { readonly file: string; readonly provider: string }): Promise<CheckRenderer> {
  const renderers = [out.json ? jsonCheckRenderer(out) : plainCheckRenderer(out)];
  if (junit) renderers.push(await junitCheckRenderer(junit.file, junit.provider));
  return (event) => {
    for (const render of renderers) render(event);
  };
}
