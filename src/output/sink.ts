import { paint, OutputClosed, type Streams, type Style, type TerminalMode } from './terminal.js';

/**
 * Where commands write. `line` is human output on stdout; `json` writes one object per line
 * (NDJSON) on stdout; `note` and `warn` go to stderr so they never corrupt piped stdout.
 * Every write goes straight to the stream so CI reads lines as they happen. With `batch`
 * (long-running, high-volume commands such as listen), lines written in one turn of the event
 * loop go out in one write at the end of that turn: still live, but a burst of deliveries costs
 * one system call instead of hundreds; `flush()` writes what is pending at once. Once stdout's
 * reader has gone (a closed pipe, `| head -1`) the command is ending quietly: notes and warnings
 * are dropped too (errors are still rendered by the entry point).
 */
export interface OutputSink {
  readonly json: boolean;
  readonly style: Style;
  line(text: string): void;
  record(value: unknown): void;
  note(text: string): void;
  warn(text: string): void;
  /** Write pending batched lines now. */
  flush(): void;
}

export function createSink(streams: Streams, mode: TerminalMode, options: { json?: boolean; batch?: boolean; signal?: AbortSignal }): OutputSink {
  const style = paint(mode);
  const errStyle = paint({ color: mode.color && streams.stderr.isTTY === true });
  const readerGone = () => options.signal?.reason instanceof OutputClosed;
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    streams.stdout.write(text);
  };
  const out = (text: string) => {
    if (!options.batch) {
      streams.stdout.write(text);
      return;
    }
    pending.push(text);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return {
    json: options.json === true,
    style,
    line(text) {
      out(`${text}\n`);
    },
    record(value) {
      out(`${JSON.stringify(value)}\n`);
    },
    note(text) {
      flush();
      if (!readerGone()) streams.stderr.write(`${text}\n`);
    },
    warn(text) {
      flush();
      if (!readerGone()) streams.stderr.write(`${errStyle.yellow('warning:')} ${text}\n`);
    },
    flush,
  };
}
