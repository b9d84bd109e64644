import type { DeliveryOutcome } from '../send-outcome.js';
import { printable } from '../output/printable.js';
import type { OutputSink } from '../output/sink.js';
import { paintTone, statusTone } from '../output/tone.js';

/** What `trigger` (and `resend`) report; renderers draw these. */
export type TriggerEvent =
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'delivery'; readonly outcome: DeliveryOutcome }
  /** The running listen session answered the event 200 and logged it, but did not send it to the app. */
  | { readonly type: 'not-forwarded'; readonly event: string; readonly pid: number; readonly events: readonly string[] | undefined };

export type TriggerRenderer = (event: TriggerEvent) => void;

/** What stderr says when a listen session kept the event from the app (in plain output and with --json). */
function notForwardedNote({ event, pid, events }: Extract<TriggerEvent, { type: 'not-forwarded' }>): string {
  const only = events?.length ? ` forwards only --events ${events.join(',')}` : ' did not forward it';
  return `the running listen session (pid ${pid})${only}: ${event} was answered 200 and logged there, but not sent to your app; restart listen with ${event} in --events (or without --events), or send straight to your app with --to <url>`;
}

/** One line per delivery: mark, status, provider and event, target, latency, id; the answer's excerpt below. */
function deliveryLines(out: OutputSink, outcome: DeliveryOutcome): void {
  const { style } = out;
  // The event, the ids, the session's and the app's words come from outside: escaped.
  const event = printable(outcome.event);
  const id = printable(outcome.id);
  if (outcome.skipped !== undefined) {
    out.line(`${style.yellow('–')} ${style.yellow('skipped')} ${outcome.provider} ${style.bold(event)} → ${outcome.url}${id ? style.dim(`  ${id}`) : ''}`);
    out.line(`  ${style.yellow(`not forwarded: ${printable(outcome.skipped)}`)}`);
    return;
  }
  const mark = outcome.ok ? style.green('✓') : style.red('✗');
  const status = paintTone(style, statusTone({ status: outcome.status, error: outcome.error ?? 'no answer' }), outcome.status === undefined ? '---' : String(outcome.status));
  const messageId = outcome.messageId !== undefined && outcome.messageId !== outcome.id ? ` (${printable(outcome.messageId)})` : '';
  out.line(`${mark} ${status} ${outcome.provider} ${style.bold(event)} → ${outcome.url}  ${outcome.durationMs} ms${id ? style.dim(`  ${id}${messageId}`) : ''}`);
  if (outcome.error) out.line(`  ${style.red(printable(outcome.error.message))}`);
  if (outcome.bodyExcerpt) out.line(`  ${style.dim(printable(outcome.bodyExcerpt))}`);
}

/** Delivery lines on stdout; warnings and notes on stderr. */
function plainTriggerRenderer(out: OutputSink): TriggerRenderer {
  return (event) => {
    if (event.type === 'delivery') deliveryLines(out, event.outcome);
    else if (event.type === 'warning') out.warn(event.message);
    else out.note(notForwardedNote(event));
  };
}

/** NDJSON: one object per delivery (no body excerpt, "status": null when none came); warnings and notes stay on stderr. */
function jsonTriggerRenderer(out: OutputSink): TriggerRenderer {
  return (event) => {
    if (event.type === 'delivery') {
      const { bodyExcerpt: _excerpt, ...rest } = event.outcome;
      out.record({ ...rest, status: event.outcome.status ?? null });
    } else if (event.type === 'warning') out.warn(event.message);
    else out.note(notForwardedNote(event));
  };
}

/** The one place trigger and resend choose: NDJSON with --json, else plain lines. */
export function triggerRenderer(out: OutputSink): TriggerRenderer {
  return out.json ? jsonTriggerRenderer(out) : plainTriggerRenderer(out);
}
