import { paint, OutputClosed, type Streams, type Style, type TerminalMode } from './terminal.js';

/**
 * Where commands write. `line` is human output on stdout; `json` writes one object per line
 * (NDJSON) on stdout; `note` and `warn` go to stderr so they never corrupt piped stdout.
 * Every write goes straight to the stream so CI reads lines as they happen. With `batch`
 * (long-running, high-volume commands such as listen), lines written in one turn of the event
 * loop go out in one write at the end of that turn: still live, but a burst of deliveries costs
 * one system call instead of hundreds; `flush()` writes what is pending at once. A batch is not
 * written while stdout's reader is more than `maxQueuedBytes` behind (`| less` at a page, a
 * paused consumer): memory stays bounded however long the reader stalls, and when it catches up
 * a warning (and, with --json, a `{"type":"output-dropped"}` record) says how many lines it
 * missed; the log has every delivery. Once stdout's reader has gone (a closed pipe, `| head -1`)
 * the command is ending quietly: notes and warnings are dropped too (errors are still rendered by
 * the entry point).
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

/** How far (bytes queued for it) stdout's reader may fall behind before batched lines are dropped. */
const MAX_QUEUED_OUTPUT_BYTES = 8 * 1024 * 1024;

export function createSink(streams: Streams, mode: TerminalMode, options: { json?: boolean; batch?: boolean; signal?: AbortSignal; maxQueuedBytes?: number }): OutputSink {
  const style = paint(mode);
  const errStyle = paint({ color: mode.color && streams.stderr.isTTY === true });
  const readerGone = () => options.signal?.reason instanceof OutputClosed;
  const maxQueued = options.maxQueuedBytes ?? MAX_QUEUED_OUTPUT_BYTES;
  let pending: string[] = [];
  let scheduled = false;
  /** Batched lines not written since stdout's reader fell behind. */
  let dropped = 0;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const lines = pending.length;
    const text = pending.join('');
    pending = [];
    if (((streams.stdout as { writableLength?: number }).writableLength ?? 0) > maxQueued) {
      dropped += lines;
      return;
    }
    if (dropped > 0) {
      const missed = dropped;
      dropped = 0;
      if (options.json) streams.stdout.write(`${JSON.stringify({ type: 'output-dropped', lines: missed })}\n`);
      if (!readerGone()) streams.stderr.write(`${errStyle.yellow('warning:')} stdout's reader fell behind: ${missed} line${missed === 1 ? '' : 's'} not printed (every delivery is in the log: webhook log)\n`);
    }
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
