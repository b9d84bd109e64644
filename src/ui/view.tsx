import { Box, Text, useInput, useStdout } from 'ink';
import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { DeliveryFeed, DeliverySummary } from '../store/feed.js';
import type { Delivery } from '../store/types.js';
import { Counts, initialState, isFailure, matchesFilter, reduce } from './state.js';

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
  /** Re-render at most this often while deliveries stream in (default 50 ms). */
  readonly throttleMs?: number;
}

const HEADER_ROWS = 3;
const FOOTER_ROWS = 2;

/** Colour props only when colour is on (NO_COLOR, no TTY: plain text). */
const tint = (color: boolean, name: string | undefined) => (color && name ? { color: name } : {});

function statusColor(code: number | undefined): string | undefined {
  if (code === undefined) return 'gray';
  return code < 300 ? 'green' : code < 500 ? 'yellow' : 'red';
}

const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const pad = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width));

function Row({ s, selected, color, width, routed }: { s: DeliverySummary; selected: boolean; color: boolean; width: number; routed: boolean }) {
  const code = s.skipped ? undefined : (s.status ?? s.answered);
  const mark = s.signature === 'verified' ? '✓' : s.signature === 'failed' ? '✗' : '?';
  const markColor = s.signature === 'verified' ? 'green' : s.signature === 'failed' ? 'red' : 'yellow';
  const eventWidth = Math.max(12, Math.min(34, width - 44));
  const marker = s.source && s.source !== 'provider' ? ` ${s.source}${s.replayOf ? '↺' : ''}` : '';
  const target = routed && s.target ? ` → ${new URL(s.target).host}` : '';
  return (
    <Text inverse={selected} wrap="truncate">
      {selected ? '›' : ' '} {time(s.receivedAt)} {pad(s.event ?? '(no event)', eventWidth)} <Text {...tint(color, markColor)}>{mark}</Text>{' '}
      <Text {...tint(color, statusColor(code))}>{s.answered === undefined ? '...' : s.skipped ? 'skip' : String(code ?? s.answered).padStart(3)}</Text>{' '}
      {s.durationMs === undefined || s.skipped ? '      ' : `${Math.round(s.durationMs)}ms`.padStart(6)}
      <Text dimColor>{marker}{target}</Text>
    </Text>
  );
}

function detailLines(delivery: Delivery, replays: readonly DeliverySummary[]): { text: string; color?: string; bold?: boolean }[] {
  const { request, outcome } = delivery;
  const lines: { text: string; color?: string; bold?: boolean }[] = [];
  const sig = request.signature;
  lines.push({ text: `${request.event ?? '(no event)'}  ${request.id}  ${new Date(request.receivedAt).toISOString()}`, bold: true });
  lines.push(
    sig.state === 'verified'
      ? { text: '✓ signature verified', color: 'green' }
      : sig.state === 'failed'
        ? { text: `✗ signature failed: ${sig.reason} (${sig.detail})`, color: 'red' }
        : { text: `? signature not checked: ${sig.detail}`, color: 'yellow' },
  );
  if (request.replayOf) lines.push({ text: `${request.source} of ${request.replayOf}` });
  lines.push({ text: '' }, { text: `Request  ${request.method} ${request.path}  ${request.bodySize} bytes`, bold: true });
  for (const [name, value] of Object.entries(request.headers)) lines.push({ text: `  ${name}: ${typeof value === 'string' ? value : value.join(', ')}` });
  lines.push({ text: '' }, { text: 'Body (c: raw bytes)', bold: true });
  const body = Buffer.from(request.bodyBase64, 'base64').toString('utf8');
  let pretty = body;
  try {
    pretty = JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    // not JSON: show as received
  }
  for (const line of pretty.split('\n')) lines.push({ text: `  ${line}` });
  lines.push({ text: '' });
  if (outcome) {
    const code = outcome.status ?? outcome.answered;
    lines.push({ text: `Response  ${outcome.status ?? '---'} (answered ${outcome.answered})  ${outcome.durationMs} ms  → ${outcome.target}`, bold: true, color: statusColor(code) ?? 'gray' });
    if (outcome.error) lines.push({ text: `  ${outcome.error.message}`, color: 'red' });
    if (outcome.skipped) lines.push({ text: `  ${outcome.skipped}` });
    for (const [name, value] of Object.entries(outcome.headers ?? {})) lines.push({ text: `  ${name}: ${typeof value === 'string' ? value : value.join(', ')}` });
    if (outcome.bodyExcerptBase64) for (const line of Buffer.from(outcome.bodyExcerptBase64, 'base64').toString('utf8').split('\n')) lines.push({ text: `  ${line}` });
  } else {
    lines.push({ text: 'Response  waiting for the app…', color: 'yellow' });
  }
  if (replays.length > 0) {
    lines.push({ text: '' }, { text: 'Replays', bold: true });
    for (const r of replays) lines.push({ text: `  ${time(r.receivedAt)} ${r.id} ${r.source} → ${r.status ?? r.answered ?? '...'}` });
  }
  return lines;
}

/** The live, keyboard-driven delivery log. Only the visible rows are rendered. */
export function DeliveryView({ feed, status, actions, color, throttleMs = 50 }: DeliveryViewProps) {
  const { stdout } = useStdout();
  const [size, setSize] = useState({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [tick, setTick] = useState(0);
  // Start in follow mode on the newest delivery, so the first frame is already right.
  const [state, dispatch] = useReducer(reduce, undefined, () =>
    reduce(initialState, { type: 'rows', rows: feed.size(), height: Math.max(3, (stdout.rows || 24) - HEADER_ROWS - FOOTER_ROWS) }),
  );
  const [counts] = useState(() => new Counts());
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

  const total = feed.size();
  counts.update(total, (a, b) => feed.summaries(a, b));
  const filtering = state.filter !== '' || state.failuresOnly;
  // The rows on screen: every delivery, or the indices that pass the filter.
  const indices = useMemo(() => {
    if (!filtering) return undefined;
    const all = feed.summaries(0, total);
    const out: number[] = [];
    all.forEach((s, i) => {
      if ((!state.failuresOnly || isFailure(s)) && matchesFilter(s, state.filter, bodyMatches)) out.push(i);
    });
    return out;
  }, [filtering, feed, total, tick, state.filter, state.failuresOnly, bodyMatches]);
  const rowCount = indices ? indices.length : total;
  const height = Math.max(3, size.rows - HEADER_ROWS - FOOTER_ROWS);

  useEffect(() => dispatch({ type: 'rows', rows: rowCount, height }), [rowCount, height]);
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
  const selectedSummary = visible[win.selected - win.top];
  const selectedId = selectedSummary?.id;

  useEffect(() => {
    if (state.screen === 'list' || !selectedId) return;
    let live = true;
    void feed.load(selectedId).then((d) => live && setDetail(d));
    return () => {
      live = false;
    };
  }, [state.screen, selectedId, tick, feed]);

  // Keys can arrive faster than frames (a paste, a fast typist): whether we are typing a filter
  // is tracked synchronously, and the text itself is built by the reducer on the latest state.
  const editing = useRef(false);
  useInput((input, key) => {
    if (key.ctrl && input === 'c') return actions.quit();
    if (editing.current) {
      if (key.return || key.escape) {
        editing.current = false;
        return dispatch({ type: key.return ? 'applyFilter' : 'cancelFilter' });
      }
      if (key.backspace || key.delete) return dispatch({ type: 'erase' });
      if (input && !key.ctrl && !key.meta) dispatch({ type: 'type', text: input });
      return;
    }
    if (input === '/') {
      editing.current = true;
      return dispatch({ type: 'startFilter' });
    }
    if (input === 'q') return actions.quit();
    if (key.escape || (state.screen !== 'list' && key.backspace)) return dispatch({ type: 'back' });
    if (key.upArrow || input === 'k') return dispatch({ type: 'move', by: -1, rows: rowCount, height });
    if (key.downArrow || input === 'j') return dispatch({ type: 'move', by: 1, rows: rowCount, height });
    if (key.pageUp) return dispatch({ type: 'move', by: -height, rows: rowCount, height });
    if (key.pageDown) return dispatch({ type: 'move', by: height, rows: rowCount, height });
    if (input === 'g') return dispatch({ type: 'home' });
    if (input === 'G') return dispatch({ type: 'end', rows: rowCount, height });
    if (key.return && state.screen === 'list' && selectedId) return dispatch({ type: 'open' });
    if (input === 'f') return dispatch({ type: 'toggleFailures' });
    if (input === 'c' && selectedId) {
      if (state.screen === 'list') dispatch({ type: 'open' });
      return dispatch({ type: 'raw' });
    }
    if (input === 'r' && selectedId) {
      dispatch({ type: 'message', text: `replaying ${selectedId}…` });
      void actions.replay(selectedId).then(
        (text) => dispatch({ type: 'message', text }),
        (error: Error) => dispatch({ type: 'message', text: `replay failed: ${error.message}` }),
      );
    }
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
      <Text dimColor wrap="truncate">{'─'.repeat(Math.max(10, width - 1))}</Text>
    </Box>
  );

  let body: React.ReactNode;
  if (state.screen === 'list') {
    body =
      rowCount === 0 ? (
        <Text dimColor>{total === 0 ? 'waiting for deliveries… (webhook trigger <event> sends one)' : 'nothing matches the filter (Esc clears it)'}</Text>
      ) : (
        visible.map((s, i) => <Row key={s.id} s={s} selected={win.top + i === win.selected} color={color} width={width} routed={status.showTargets === true} />)
      );
  } else if (!detail || detail.request.id !== selectedId) {
    body = <Text dimColor>loading…</Text>;
  } else if (state.screen === 'raw') {
    const raw = Buffer.from(detail.request.bodyBase64, 'base64').toString('utf8').split('\n');
    body = raw.slice(state.detailScroll, state.detailScroll + height).map((line, i) => <Text key={i}>{line}</Text>);
  } else {
    const replays = feed.summaries(0, total).filter((s) => s.replayOf === detail.request.id);
    const lines = detailLines(detail, replays);
    body = lines.slice(state.detailScroll, state.detailScroll + height).map((l, i) => (
      <Text key={i} bold={l.bold === true} wrap="truncate" {...tint(color, l.color)}>
        {l.text || ' '}
      </Text>
    ));
  }

  const keys =
    state.screen === 'list'
      ? '↑↓/jk move  PgUp/PgDn  g/G  Enter details  / filter  f failures  r replay  c raw  q quit'
      : '↑↓/jk scroll  c raw/pretty  r replay  Esc back  q quit';
  return (
    <Box flexDirection="column" width={width}>
      {header}
      <Box flexDirection="column" height={height}>
        {body}
      </Box>
      <Text wrap="truncate" {...tint(color, state.editing ? 'cyan' : undefined)}>
        {state.editing ? `filter: ${state.draft}▏ (Enter apply, Esc cancel)` : (state.message ?? (filtering ? `filter: ${state.filter || '-'}${state.failuresOnly ? ' [failures only]' : ''}  (Esc clears)` : (status.note ?? ' ')))}
      </Text>
      <Text dimColor wrap="truncate">
        {keys}
      </Text>
    </Box>
  );
}
