import type { RetrySchedule } from '../providers/schedule.js';
import type { AttemptEvent, EndpointEvent } from '../sandbox/engine.js';
import { printable } from '../output/printable.js';
import type { OutputSink } from '../output/sink.js';
import { paintTone, statusTone } from '../output/tone.js';

/** What `sandbox` reports; renderers draw these. */
export type SandboxEvent =
  | { readonly type: 'ready'; readonly url: string; readonly deliverAs: { readonly name: string; readonly displayName: string; readonly url: string } | undefined; readonly schedule: RetrySchedule; readonly timeScale: number }
  | ({ readonly type: 'attempt' } & AttemptEvent)
  | ({ readonly type: 'endpoint' } & EndpointEvent)
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'stopped' };

export type SandboxRenderer = (event: SandboxEvent) => void;

type Attempted = Extract<SandboxEvent, { type: 'attempt' }>;
type Disabled = Extract<SandboxEvent, { type: 'endpoint' }>;

function attemptLine(out: OutputSink, { delivery, attempt, maxAttempts }: Attempted): string {
  const { style } = out;
  const status = paintTone(style, statusTone({ status: attempt.status, error: attempt.error ?? 'no answer' }), attempt.status === undefined ? '---' : String(attempt.status));
  const next = delivery.state === 'retrying' && delivery.nextAttemptAt ? ` next ${delivery.nextAttemptAt}` : '';
  // The event name and the URL came through the sandbox's API, the error from the app's side: escaped.
  return `${attempt.at.slice(11, 19)} ${style.bold(printable(delivery.event))} → ${printable(delivery.url)} attempt ${attempt.attempt}/${maxAttempts}${attempt.manual ? ' (manual)' : ''} ${status} ${attempt.durationMs} ms ${delivery.state}${next}${attempt.error ? style.dim(`  ${printable(attempt.error)}`) : ''}`;
}

function disabledLine(out: OutputSink, event: Disabled): string {
  const days = event.afterMs / 86_400_000;
  return `${event.disabledAt.slice(11, 19)} ${out.style.red('endpoint disabled')} ${printable(event.url)}: every attempt failed since ${event.failingSince} (${days >= 1 ? `${days} days` : `${Math.round(event.afterMs) / 1000} s scaled`}); enable it with POST /v1/target/enable`;
}

/** The ready line and how to use it, a line per attempt and per disabled endpoint; notes and warnings on stderr. */
function plainSandboxRenderer(out: OutputSink): SandboxRenderer {
  return (event) => {
    switch (event.type) {
      case 'ready': {
        const { url, deliverAs, schedule } = event;
        out.line(`sandbox listening on ${url}${deliverAs ? ` (delivering as ${deliverAs.displayName} to ${deliverAs.url})` : ''}`);
        out.note(`retries: ${schedule.attempts} attempts in all${schedule.mode === 'default' ? '' : ` (${schedule.mode} mode)`}, delays scaled by ${event.timeScale}`);
        out.note(`register: curl -s ${url}/v1/webhooks -H 'X-API-Key: sk_test_0123456789' -d '{"url":"http://localhost:3000/webhooks"}'`);
        out.note('stop with Ctrl-C');
        break;
      }
      case 'attempt':
        out.line(attemptLine(out, event));
        break;
      case 'endpoint':
        out.line(disabledLine(out, event));
        break;
      case 'warning':
        out.warn(event.message);
        break;
      case 'stopped':
        out.note('sandbox stopped');
    }
  };
}

/** NDJSON: {"type":"ready"}, {"type":"attempt"} per attempt, {"type":"endpoint"} when one is disabled; warnings on stderr. */
function jsonSandboxRenderer(out: OutputSink): SandboxRenderer {
  return (event) => {
    switch (event.type) {
      case 'ready': {
        const { schedule } = event;
        out.record({ type: 'ready', url: event.url, deliverAs: event.deliverAs?.name ?? null, retryMode: schedule.mode, maxAttempts: schedule.attempts, retryDelaysMs: schedule.retryDelaysMs });
        break;
      }
      case 'attempt': {
        const { delivery, attempt, maxAttempts } = event;
        out.record({ type: 'attempt', delivery: delivery.id, event: delivery.event, eventId: delivery.eventId, endpoint: delivery.endpointId, url: delivery.url, attempt: attempt.attempt, maxAttempts, manual: attempt.manual === true, status: attempt.status ?? null, durationMs: attempt.durationMs, error: attempt.error ?? null, state: delivery.state, nextAttemptAt: delivery.nextAttemptAt ?? null });
        break;
      }
      case 'endpoint':
        out.record({ type: 'endpoint', endpoint: event.endpointId, url: event.url, status: event.status, failingSince: event.failingSince, disabledAt: event.disabledAt });
        break;
      case 'warning':
        out.warn(event.message);
        break;
      default:
    }
  };
}

/** The one place sandbox chooses: NDJSON with --json, else plain lines. */
export function sandboxRenderer(out: OutputSink): SandboxRenderer {
  return out.json ? jsonSandboxRenderer(out) : plainSandboxRenderer(out);
}
