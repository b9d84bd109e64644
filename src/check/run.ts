import { casesFor, type CaseVerdict, type CheckTarget } from './cases.js';

export interface CaseResult extends CaseVerdict {
  readonly id: string;
  readonly title: string;
  readonly expected: '2xx' | '4xx';
}

/** Run every case that applies to the provider, in order; `onResult` sees each as it finishes. */
export async function runChecks(target: CheckTarget, onResult?: (result: CaseResult) => void): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of casesFor(target.profile, target)) {
    if (target.signal?.aborted) break;
    const verdict = await c.run(target);
    const result: CaseResult = { id: c.id, title: c.title, expected: c.expected, ...verdict, durationMs: Math.round(verdict.durationMs) };
    results.push(result);
    onResult?.(result);
  }
  return results;
}
