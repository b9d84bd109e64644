import type { ChalkInstance } from 'chalk';
import { paint, type Streams, type TerminalMode } from './terminal.js';

/**
 * Where commands write. `line` is human output on stdout; `json` writes one object per line
 * (NDJSON) on stdout; `note` and `warn` go to stderr so they never corrupt piped stdout.
 * Every write goes straight to the stream so CI reads lines as they happen.
 */
export interface OutputSink {
  readonly json: boolean;
  readonly style: ChalkInstance;
  line(text: string): void;
  record(value: unknown): void;
  note(text: string): void;
  warn(text: string): void;
}

export function createSink(streams: Streams, mode: TerminalMode, options: { json?: boolean }): OutputSink {
  const style = paint(mode);
  const errStyle = paint({ color: mode.color && streams.stderr.isTTY === true });
  return {
    json: options.json === true,
    style,
    line(text) {
      streams.stdout.write(`${text}\n`);
    },
    record(value) {
      streams.stdout.write(`${JSON.stringify(value)}\n`);
    },
    note(text) {
      streams.stderr.write(`${text}\n`);
    },
    warn(text) {
      streams.stderr.write(`${errStyle.yellow('warning:')} ${text}\n`);
    },
  };
}
