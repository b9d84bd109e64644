import type { DemoSummary } from '../demo/run.js';
import type { ListenEvent } from '../listen-events.js';
import type { RunningView } from '../ui/index.js';
import { jsonListenRenderer, plainListenRenderer, viewListenRenderer, type ListenRenderOptions } from './listen-report.js';
import type { OutputSink } from '../output/sink.js';

/** What `demo` reports: its own start, result and next steps, and its listen sessions' events. */
export type DemoEvent =
  | ListenEvent
  | { readonly type: 'started'; readonly app: string; readonly sandbox: string; readonly store: string; readonly sessions: readonly { readonly localUrl: string; readonly publicUrl: string | undefined }[] }
  | { readonly type: 'played'; readonly summary: DemoSummary; readonly ok: boolean; readonly store: string; readonly run: string }
  | { readonly type: 'next'; readonly store: string; readonly run: string };

export type DemoRenderer = (event: DemoEvent) => void;

type ViewTarget = Pick<RunningView, 'setStatus' | 'notice'>;

/** The demo's sessions, as its output and the view's header name them. */
export const DEMO_PROVIDERS = 'PayKore (sandbox) · Paystack · Koard';
/** Three providers share the output: each delivery line starts with its provider. */
const SESSIONS: ListenRenderOptions = { provider: DEMO_PROVIDERS, providerColumn: true };

/** Each session's own ready and tunnel events are not the demo's: its sandbox and tunnels are loopback. */
const sessionsOwn = (event: DemoEvent) => event.type === 'ready' || event.type === 'tunnel';

/** listen's plain lines for the sessions; a note when it starts (off a terminal: the view's header says it), the result, how to go on. */
function plainDemoRenderer(out: OutputSink, options: { readonly interactive: boolean }): DemoRenderer {
  const session = plainListenRenderer(out, SESSIONS);
  return (event) => {
    if (event.type === 'started') {
      if (!options.interactive) out.note(`demo app ${event.app}, PayKore sandbox ${event.sandbox}, log ${event.store}`);
    } else if (event.type === 'played') {
      if (options.interactive) return;
      const { summary, ok } = event;
      out.line('');
      out.line(`${ok ? out.style.green('demo ok') : out.style.red('demo failed')}: ${summary.deliveries} deliveries, ${summary.verified} verified, ${summary.forged} forged (flagged ✗), ${summary.rejectedByApp} refused by the app on purpose, ${summary.forwarded} forwarded and logged`);
    } else if (event.type === 'next') {
      out.line(`next: ${event.run} log --store ${event.store}   ·   ${event.run} listen --help   ·   docs/ in the package`);
    } else if (!sessionsOwn(event)) session(event);
  };
}

/** NDJSON: the demo's ready record, the deliveries, its summary. */
function jsonDemoRenderer(out: OutputSink): DemoRenderer {
  const session = jsonListenRenderer(out);
  return (event) => {
    if (event.type === 'started') out.record({ type: 'ready', app: event.app, sandbox: event.sandbox, store: event.store, sessions: event.sessions.map((s) => ({ localUrl: s.localUrl, publicUrl: s.publicUrl ?? null })) });
    else if (event.type === 'played') out.record({ type: 'summary', ...event.summary, ok: event.ok });
    else if (event.type === 'delivery') session(event);
  };
}

/** The view: the sessions' notices, and when the demo has played, what to try next. */
function viewDemoRenderer(view: ViewTarget): DemoRenderer {
  const session = viewListenRenderer(view, SESSIONS);
  return (event) => {
    if (event.type === 'played') view.setStatus({ note: `done · in another terminal: WEBHOOK_STORE=${event.store} ${event.run} trigger kyc.verified` });
    else if (event.type !== 'started' && event.type !== 'next' && !sessionsOwn(event)) session(event);
  };
}

/** Where the demo's events go: NDJSON with --json, else plain lines; the view, while it is up. */
export interface DemoOutput {
  readonly render: DemoRenderer;
  showIn(view: ViewTarget | undefined): void;
}

/** The one place demo chooses its renderer. */
export function demoOutput(out: OutputSink, options: { readonly interactive: boolean }): DemoOutput {
  const lines = out.json ? jsonDemoRenderer(out) : plainDemoRenderer(out, options);
  let current = lines;
  return {
    render: (event) => current(event),
    showIn: (view) => {
      current = view ? viewDemoRenderer(view) : lines;
    },
  };
}
