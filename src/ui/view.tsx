import { Box, Text, useInput, useStdout } from 'ink';
import { describeDelivery, rawBodyLines } from '../output/describe-delivery.js';
import { printable } from '../output/printable.js';
import { signatureTone, statusTone, toneColor } from '../output/tone.js';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { DeliveryFeed, DeliverySummary } from '../store/feed.js';
import type { Delivery } from '../store/types.js';
import { keyPresses } from './keys.js';
import type { NoticeBoard } from './notices.js';
import { initialState, isFailure, matchesFilter, maxScroll, press, reduce, type Action, type Effect, type KeyContext, type ViewState } from './state.js';

/** What the status bar shows about the session (listen updates it as things change). */
export interface ViewStatus {
  /** The first words of the header (default "webhook listen"). */
  readonly title?: string | undefined;
  readonly provider: string;
  readonly localUrl?: string | undefined;
  readonly publicUrl?: string | undefined;
  readonly forwardTo?: string | undefined;
  readonly registration?: string | undefined;
  readonly tunnel?: string | undefined;
  /** A hint shown in the message line when there is nothing else to say. */
  readonly note?: string | undefined;
  /** Show each delivery's target host (when --route sends events to several apps). */
  readonly showTargets?: boolean | undefined;
}

export interface ViewActions {
  /** Send the delivery to the app again (same bytes); resolves to a one-line result. */
  replay(id: string): Promise<string>;
  quit(): void;
}

export interface DeliveryViewProps {
  readonly feed: DeliveryFeed;
  readonly status: ViewStatus;
  readonly actions: ViewActions;
  readonly color: boolean;
  /** What the command's plain output would print meanwhile (warnings, registration, catch-up). */
  readonly notices?: NoticeBoard | undefined;
  /** Re-render at most this often while deliveries stream in (default 50 ms). */
  readonly throttleMs?: number;
  /** How long a key's result (replayed … → 422) stays when no key is pressed (default 6 s). */
  readonly noticeMs?: number;
}

const HEADER_ROWS = 3;
/** Newest notices shown under the list. */
const SHOWN_NOTICES = 2;
/** Summaries read at a time when every row is looked at (filter). */
const SLICE = 4096;

/** Colour props only when colour is on (NO_COLOR, no TTY: plain text). */
const tint = (color: boolean, name: string | undefined) => (color && name ? { color: name } : {});


const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const pad = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width));

/** The list's columns, shared by the column heading and the rows so they line up. */
function columns(width: number, providers: boolean) {
  const provider = providers ? 9 : 0;
  return { provider, event: Math.max(12, Math.min(34, width - 44 - provider)) };
}

/** The list's heading: it is also the legend (sig: the signature verdict ✓ ✗ ?; app: the app's HTTP status). */
function ColumnHeading({ width, providers }: { width: number; providers: boolean }) {
  const cols = columns(width, providers);
  return (
    <Text dimColor wrap="truncate">
      {'  '}
      {'time'.padEnd(8)} {providers ? 'provider'.padEnd(cols.provider) : ''}
      {'event'.padEnd(cols.event)} sig{' app'} {'took'.padStart(6)}
    </Text>
  );
}

function Row({ s, selected, color, width, routed, providers }: { s: DeliverySummary; selected: boolean; color: boolean; width: number; routed: boolean; providers: boolean }) {
  const code = s.skipped ? undefined : (s.status ?? s.answered);
  const mark = s.signature === 'verified' ? '✓' : s.signature === 'failed' ? '✗' : '?';
  const markColor = toneColor(signatureTone(s.signature));
  const cols = columns(width, providers);
  const marker = s.source && s.source !== 'provider' ? ` ${s.source}${s.replayOf ? '↺' : ''}` : '';
  const target = routed && s.target ? ` → ${new URL(s.target).host}` : '';
  return (
    <Text inverse={selected} wrap="truncate">
      {selected ? '›' : ' '} {time(s.receivedAt)} {providers ? pad(printable(s.provider), cols.provider - 1) + ' ' : ''}
      {pad(printable(s.event ?? '(no event)'), cols.event)} <Text {...tint(color, markColor)}>{mark.padEnd(3)}</Text>
      <Text {...tint(color, toneColor(statusTone({ status: s.status ?? s.answered, skipped: s.skipped })))}>{(s.answered === undefined ? '...' : s.skipped ? 'skip' : String(code ?? s.answered)).padStart(4)}</Text>{' '}
      {s.durationMs === undefined || s.skipped ? '      ' : `${Math.round(s.durationMs)}ms`.padStart(6)}
      <Text dimColor>{marker}{target}</Text>
    </Text>
  );
}

/** The live, keyboard-driven delivery log. Only the visible rows are rendered. */
export function DeliveryView({ feed, status, actions, color, notices, throttleMs = 50, noticeMs = 6000 }: DeliveryViewProps) {
  const { stdout } = useStdout();
  const [size, setSize] = useState({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [tick, setTick] = useState(0);
  // The state lives in a ref as well as in React: keys of one burst, and notices posted in one
  // turn, each apply to the state the previous one left, before React renders again.
  const stateRef = useRef<ViewState | undefined>(undefined);
  // Start in follow mode on the newest delivery, so the first frame is already right.
  stateRef.current ??= reduce(initialState, { type: 'rows', rows: feed.size(), height: Math.max(3, (stdout.rows || 24) - 1 - HEADER_ROWS - 2) });
  const [state, setState] = useState<ViewState>(stateRef.current);
  const commit = useCallback((next: ViewState) => {
    stateRef.current = next;
    setState(next);
  }, []);
  const dispatch = useCallback((action: Action) => commit(reduce(stateRef.current!, action)), [commit]);
  const [bodyMatches, setBodyMatches] = useState<ReadonlySet<string> | undefined>(undefined);
  const [detail, setDetail] = useState<Delivery | undefined>(undefined);

  useEffect(() => {
    const onResize = () => setSize({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
    stdout.on('resize', onResize);
    return () => void stdout.off('resize', onResize);
  }, [stdout]);

  // Re-render on new records, throttled so a burst is one frame.
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    const unsubscribe = feed.subscribe(() => {
      timer ??= setTimeout(() => {
        timer = undefined;
        setTick((t) => t + 1);
      }, throttleMs);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [feed, throttleMs]);

  // Every notice the command posts reaches the notice area, including those posted before this subscribed.
  useEffect(() => {
    if (!notices) return;
    let seen = 0;
    const sync = () => {
      const fresh = notices.since(seen);
      seen = notices.total;
      for (const n of fresh) dispatch({ type: 'notice', level: n.level, text: n.text });
    };
    sync();
    return notices.subscribe(sync);
  }, [notices, dispatch]);

  // A key's result goes away after a while even when no key is pressed.
  const expiry = useRef(new Map<number, NodeJS.Timeout>());
  useEffect(() => {
    for (const n of state.notices) {
      if (!n.transient || expiry.current.has(n.id)) continue;
      expiry.current.set(n.id, setTimeout(() => dispatch({ type: 'expire', id: n.id }), noticeMs));
    }
  }, [state.notices, noticeMs, dispatch]);
  useEffect(() => () => expiry.current.forEach((timer) => clearTimeout(timer)), []);

  const total = feed.size();
  const counts = feed.tally();
  const providers = counts.providers.size > 1;
  const filtering = state.filter !== '' || state.failuresOnly;
  // The rows on screen: every delivery, or the indices that pass the filter.
  const indices = useMemo(() => {
    if (!filtering) return undefined;
    const out: number[] = [];
    // In slices: summaries are made on demand, and 100,000 at once would only be garbage.
    for (let start = 0; start < total; start += SLICE) {
      feed.summaries(start, Math.min(total, start + SLICE)).forEach((s, i) => {
        if ((!state.failuresOnly || isFailure(s)) && matchesFilter(s, state.filter, bodyMatches)) out.push(start + i);
      });
    }
    return out;
  }, [filtering, feed, total, tick, state.filter, state.failuresOnly, bodyMatches]);
  const rowCount = indices ? indices.length : total;
  const shownNotices = state.notices.slice(-SHOWN_NOTICES);
  // The view stays one line short of the terminal, so every frame (the last one too) ends with a newline.
  const footerRows = 2 + shownNotices.length;
  const height = Math.max(3, size.rows - 1 - HEADER_ROWS - footerRows);

  useEffect(() => dispatch({ type: 'rows', rows: rowCount, height }), [rowCount, height, dispatch]);
  // Draw the window as it will be once the new row count is applied, so no frame shows a stale selection.
  const win = reduce(state, { type: 'rows', rows: rowCount, height });

  useEffect(() => {
    if (state.filter === '') return setBodyMatches(undefined);
    const abort = new AbortController();
    void feed.searchBodies(state.filter, abort.signal).then((ids) => !abort.signal.aborted && setBodyMatches(ids));
    return () => abort.abort();
  }, [feed, state.filter, total]);

  const visible = useMemo(() => {
    const end = Math.min(rowCount, win.top + height);
    if (!indices) return feed.summaries(win.top, end);
    return indices.slice(win.top, end).map((i) => feed.summaries(i, i + 1)[0]!);
  }, [indices, feed, win.top, height, rowCount, tick]);
  const idAt = (row: number) => (indices ? (indices[row] === undefined ? undefined : feed.summaries(indices[row], indices[row] + 1)[0]?.id) : feed.summaries(row, row + 1)[0]?.id);
  const selectedId = visible[win.selected - win.top]?.id;

  useEffect(() => {
    if (state.screen === 'list' || !selectedId) return;
    let live = true;
    void feed.load(selectedId).then((d) => live && setDetail(d));
    return () => {
      live = false;
    };
  }, [state.screen, selectedId, tick, feed]);

  // What the details (or raw) screen shows, and so how far it scrolls.
  const loaded = state.screen !== 'list' && detail !== undefined && detail.request.id === selectedId ? detail : undefined;
  const content = useMemo(() => {
    if (!loaded) return undefined;
    if (state.screen === 'raw') return rawBodyLines(loaded);
    return describeDelivery(loaded, feed.replaysOf(loaded.request.id), { rawHint: 'c: raw bytes' });
  }, [loaded, state.screen, feed, total, tick]);
  const scroll = Math.min(state.detailScroll, maxScroll(content?.length ?? 0, height));

  const run = (effect: Effect) => {
    if (effect.type === 'quit') return actions.quit();
    void actions.replay(effect.id).then(
      (text) => dispatch({ type: 'notice', level: 'info', text, transient: true, replaces: effect.notice }),
      (error: Error) => dispatch({ type: 'notice', level: 'warn', text: `replay failed: ${error.message}`, transient: true, replaces: effect.notice }),
    );
  };

  // What a key needs to know, as of the frame on screen (Ink may still call the previous render's handler).
  const keyContext = useRef<KeyContext>(undefined as unknown as KeyContext);
  keyContext.current = { rows: rowCount, height, content: content?.length ?? 0, idAt };

  // Ink hands over a burst of keys read at once as one string: each key counts, in order.
  useInput((input, key) => {
    const context = keyContext.current;
    let next = reduce(stateRef.current!, { type: 'rows', rows: context.rows, height: context.height });
    const effects: Effect[] = [];
    for (const k of keyPresses(input, key)) {
      const result = press(next, k, context);
      next = result.state;
      if (result.effect) effects.push(result.effect);
      if (result.effect?.type === 'quit') break;
    }
    commit(next);
    effects.forEach(run);
  });

  const width = size.columns;
  const header = (
    <Box flexDirection="column" height={HEADER_ROWS}>
      <Text wrap="truncate">
        <Text bold {...tint(color, 'cyan')}>{status.title ?? 'webhook listen'}</Text> {status.provider}
        {status.publicUrl ? `  ${status.publicUrl}` : ''}
        {status.localUrl ? `  local ${status.localUrl.replace('http://', '')}` : ''}
        {status.forwardTo ? `  → ${status.forwardTo}` : ''}
      </Text>
      <Text wrap="truncate">
        {status.registration ? `endpoint ${status.registration}  ` : ''}
        {status.tunnel ? <Text {...tint(color, status.tunnel.startsWith('up') ? 'green' : 'yellow')}>tunnel {status.tunnel}  </Text> : null}
        total {counts.total}  <Text {...tint(color, 'green')}>2xx {counts.ok}</Text>  <Text {...tint(color, counts.failed ? 'red' : undefined)}>failed {counts.failed}</Text>{'  '}
        <Text {...tint(color, counts.signatureFailures ? 'red' : undefined)}>bad signatures {counts.signatureFailures}</Text>
        {filtering ? `  showing ${rowCount}` : ''}
      </Text>
      {state.screen === 'list' ? (
        <ColumnHeading width={width} providers={providers} />
      ) : (
        <Text dimColor wrap="truncate">
          {`── ${content ? `lines ${content.length === 0 ? 0 : scroll + 1}–${Math.min(content.length, scroll + height)} of ${content.length} ` : ''}`.padEnd(Math.max(10, width - 1), '─')}
        </Text>
      )}
    </Box>
  );

  let body: React.ReactNode;
  if (state.screen === 'list') {
    body =
      rowCount === 0 ? (
        <Text dimColor>{total === 0 ? 'waiting for deliveries… (webhook trigger <event> sends one)' : 'nothing matches the filter (Esc clears it)'}</Text>
      ) : (
        visible.map((s, i) => <Row key={s.id} s={s} selected={win.top + i === win.selected} color={color} width={width} routed={status.showTargets === true} providers={providers} />)
      );
  } else if (!content) {
    body = <Text dimColor>loading…</Text>;
  } else {
    body = content.slice(scroll, scroll + height).map((l, i) => (
      <Text key={i} bold={l.heading === true} wrap="truncate" {...tint(color, toneColor(l.tone))}>
        {l.text || ' '}
      </Text>
    ));
  }

  const keys =
    state.screen === 'list'
      ? '↑↓/jk move  PgUp/PgDn  g/G  Enter details  / filter  f failures  r replay  c raw  q quit'
      : '↑↓/jk scroll  PgUp/PgDn  g/G top/end  c raw/pretty  r replay  Esc back  q quit';
  return (
    <Box flexDirection="column" width={width}>
      {header}
      <Box flexDirection="column" height={height}>
        {body}
      </Box>
      <Text wrap="truncate" {...tint(color, state.editing ? 'cyan' : undefined)}>
        {state.editing ? `filter: ${state.draft}▏ (Enter apply, Esc cancel)` : filtering ? `filter: ${state.filter || '-'}${state.failuresOnly ? ' [failures only]' : ''}  (Esc clears)` : (status.note ?? ' ')}
      </Text>
      {shownNotices.map((n) => (
        <Text key={n.id} wrap="truncate" {...tint(color, n.level === 'warn' ? 'yellow' : undefined)}>
          {n.level === 'warn' ? 'warning: ' : ''}
          {n.text}
        </Text>
      ))}
      <Text dimColor wrap="truncate">
        {keys}
      </Text>
    </Box>
  );
}
