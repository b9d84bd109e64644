import type { ListenEvent } from '../listen-events.js';
import type { RunningView } from '../ui/index.js';
import { deliveryJson, deliveryLine } from '../output/delivery-line.js';
import { printable } from '../output/printable.js';
import type { OutputSink } from '../output/sink.js';

/**
 * What `listen` reports: its session's events, and before the session starts, a note on how it
 * was set up (a local-only tunnel) and whether deliveries can be verified.
 */
export type ListenReport =
  | ListenEvent
  | { readonly type: 'note'; readonly text: string }
  | { readonly type: 'unverified'; readonly provider: string; readonly envVar: string };

/** Draws what a listen session reports (`listen`, and `demo`'s sessions). */
export type ListenRenderer = (event: ListenReport) => void;

export interface ListenRenderOptions {
  /** The provider's display name, for the ready line and catch-up notes. */
  readonly provider: string;
  /** Several providers share the output (demo): each delivery line starts with its provider. */
  readonly providerColumn?: boolean;
}

/** A line for stderr or the view's notice area. */
export interface ListenNotice {
  readonly level: 'info' | 'warn';
  readonly text: string;
}

/** The stderr line for a session event: the same words in plain output and in the view's notice area. */
function describeListenEvent(event: ListenReport, provider: string): ListenNotice | undefined {
  const notice = describeRaw(event, provider);
  // Reasons quote providers' answers, tunnel output and event names: escaped for the terminal.
  return notice && { ...notice, text: printable(notice.text) };
}

function describeRaw(event: ListenReport, provider: string): ListenNotice | undefined {
  const info = (text: string) => ({ level: 'info' as const, text });
  switch (event.type) {
    case 'note':
      return info(event.text);
    case 'unverified':
      return info(`no ${event.provider} secret: deliveries are forwarded but not verified (pass --secret-file <path> or set ${event.envVar})`);
    case 'registration':
      if (event.state === 'registered') return info(`registered ${event.endpointId} for ${event.url}`);
      if (event.state === 'deleted') return info(`deleted endpoint ${event.endpointId}`);
      if (event.state === 'pruned') return info(`removed stale endpoint ${event.endpointId} (${event.reason})`);
      if (event.state === 'updated') return info(`endpoint now ${event.endpointId} for ${event.url}`);
      if (event.state === 'adopted') return info(`adopted endpoint ${event.endpointId} for ${event.url} (${event.reason})`);
      if (event.state === 'kept') return info(`kept endpoint ${event.endpointId} (${event.reason})`);
      return { level: 'warn', text: event.reason ?? `registration ${event.state}` };
    case 'tunnel':
      return { level: 'warn', text: `tunnel ${event.state}${event.publicUrl ? ` ${event.publicUrl}` : ''}${event.reason ? `: ${event.reason}` : ''}` };
    case 'catch-up':
      return info(`catch-up: asked ${provider} to retry ${event.event} (${event.delivery})`);
    case 'warning':
      return { level: 'warn', text: event.message };
    default:
      return undefined;
  }
}

/** The ready block and one line per delivery on stdout; everything else as a note or warning on stderr. */
export function plainListenRenderer(out: OutputSink, options: ListenRenderOptions): ListenRenderer {
  const { style } = out;
  return (event) => {
    switch (event.type) {
      case 'ready':
        out.line(`${style.green('ready')} ${options.provider} → ${event.forwardTo}`);
        out.line(`  local   ${event.localUrl}`);
        if (event.publicUrl) out.line(`  public  ${event.publicUrl}`);
        if (event.endpointId) out.line(`  endpoint ${event.endpointId} (${event.endpointKept ? 'kept between sessions' : 'deleted on exit'})`);
        if (event.secret) out.line(`  secret  ${event.secret}${event.secretShown ? '' : style.dim('  (--print-secret to show)')}`);
        break;
      case 'delivery': {
        const line = deliveryLine(event.request, event.outcome, style);
        out.line(options.providerColumn ? `${event.request.provider.padEnd(8)} ${line}` : line);
        break;
      }
      default: {
        const notice = describeListenEvent(event, options.provider);
        if (notice?.level === 'warn') out.warn(notice.text);
        else if (notice) out.note(notice.text);
      }
    }
  };
}

/** NDJSON: the ready record (the secret only with --print-secret), one delivery record each, every other session event as it is. */
export function jsonListenRenderer(out: OutputSink): ListenRenderer {
  return (event) => {
    if (event.type === 'note' || event.type === 'unverified') return;
    if (event.type === 'ready') {
      const { type, localUrl, publicUrl, endpointId, endpointKept, forwardTo, provider, secret, secretShown, tunnel } = event;
      out.record({ type, localUrl, publicUrl: publicUrl ?? null, endpointId: endpointId ?? null, ...(endpointId ? { endpointKept } : {}), forwardTo, provider, tunnel, ...(secretShown ? { secret } : {}) });
    } else if (event.type === 'delivery') out.record(deliveryJson(event.request, event.outcome));
    else out.record(event);
  };
}

/**
 * The interactive view: deliveries reach it through the log, so they are not drawn here; tunnel
 * and registration changes update its status bar, and what plain output would print on stderr
 * goes to its notice area.
 */
export function viewListenRenderer(view: Pick<RunningView, 'setStatus' | 'notice'>, options: ListenRenderOptions): ListenRenderer {
  return (event) => {
    // The tunnel's reason quotes its output, the endpoint id the provider's answer: escaped, as the notices are.
    if (event.type === 'tunnel') view.setStatus({ tunnel: printable(`${event.state}${event.reason ? ` (${event.reason})` : ''}`), ...(event.publicUrl ? { publicUrl: printable(event.publicUrl) } : {}) });
    if (event.type === 'registration') view.setStatus({ registration: printable(`${event.endpointId ?? ''} ${event.state}`.trim()) });
    const notice = describeListenEvent(event, options.provider);
    if (notice) view.notice(notice.level, notice.text);
  };
}

/** Where a session's events go: NDJSON with --json, else plain lines; the view, while it is up. */
export interface ListenOutput {
  readonly render: ListenRenderer;
  /** Hand the events to the view while it is up; `undefined` when it is gone (back to plain lines). */
  showIn(view: Pick<RunningView, 'setStatus' | 'notice'> | undefined): void;
}

/** The one place listen and demo choose their renderer. */
export function listenOutput(out: OutputSink, options: ListenRenderOptions): ListenOutput {
  const lines = out.json ? jsonListenRenderer(out) : plainListenRenderer(out, options);
  let current = lines;
  return {
    render: (event) => current(event),
    showIn: (view) => {
      current = view ? viewListenRenderer(view, options) : lines;
    },
  };
}
