import { Chalk } from 'chalk';
import type { OutputSink } from '../../src/output/sink.js';

/** What a renderer wrote, in order: stdout lines and records, stderr notes and warnings. */
export type Written = readonly ['line', string] | readonly ['record', unknown] | readonly ['note', string] | readonly ['warn', string];

/** A sink that keeps what it is given, for feeding renderers events and reading their lines. */
export function recordSink(options: { json?: boolean; color?: boolean } = {}): OutputSink & { readonly written: Written[] } {
  const written: Written[] = [];
  return {
    json: options.json === true,
    style: new Chalk({ level: options.color ? 1 : 0 }),
    written,
    line: (text) => void written.push(['line', text]),
    record: (value) => void written.push(['record', JSON.parse(JSON.stringify(value)) as unknown]),
    note: (text) => void written.push(['note', text]),
    warn: (text) => void written.push(['warn', text]),
    flush: () => undefined,
  };
}
