import { Box, Text, useInput, useStdout } from 'ink';
import { describeDelivery, rawBodyLines, type DescribedLine } from '../output/describe-delivery.js';
import { clockTime } from '../output/delivery-line.js';
import { printable } from '../output/printable.js';
import { signatureTone, statusTone, toneColor } from '../output/tone.js';
import { useEffect, useMemo, useRef } from 'react';
import type { DeliveryFeed, DeliverySummary } from '../store/feed.js';
import type { Tally } from '../store/feed.js';
import { useBodyMatches, useFeedTick, useFilteredRows, useNotices, useSelectedDelivery, useTerminalSize, useViewState } from './hooks.js';
import { keyPresses } from './keys.js';
import type { NoticeBoard } from './notices.js';
import { maxScroll, pressAll, reduce, type Effect, type KeyContext, type ViewState } from './state.js';

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

/** Colour props only when colour is on (NO_COLOR, no TTY: plain text). */
const tint = (color: boolean, name: string | undefined) => (color && name ? { color: name } : {});


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
      {selected ? '›' : ' '} {clockTime(s.receivedAt)} {providers ? `${pad(printable(s.provider), cols.provider - 1)} ` : ''}
      {pad(printable(s.event ?? '(no event)'), cols.event)} <Text {...tint(color, markColor)}>{mark.padEnd(3)}</Text>
      <Text {...tint(color, toneColor(statusTone({ status: s.status ?? s.answered, skipped: s.skipped })))}>{(s.answered === undefined ? '...' : s.skipped ? 'skip' : String(code ?? s.answered)).padStart(4)}</Text>{' '}
      {s.durationMs === undefined || s.skipped ? '      ' : `${Math.round(s.durationMs)}ms`.padStart(6)}
      <Text dimColor>{marker}{target}</Text>
    </Text>
  );
}

/** The header: the session, the running totals, and the list's column heading (or the details' position). */
function Header({ status, counts, shownRows, screen, content, scroll, height, width, providers, color }: { status: ViewStatus; counts: Tally; shownRows: number | undefined; screen: ViewState['screen']; content: readonly DescribedLine[] | undefined; scroll: number; height: number; width: number; providers: boolean; color: boolean }) {
  return (
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
        {shownRows !== undefined ? `  showing ${shownRows}` : ''}
      </Text>
      {screen === 'list' ? (
        <ColumnHeading width={width} providers={providers} />
      ) : (
        <Text dimColor wrap="truncate">
          {`── ${content ? `lines ${content.length === 0 ? 0 : scroll + 1}–${Math.min(content.length, scroll + height)} of ${content.length} ` : ''}`.padEnd(Math.max(10, width - 1), '─')}
        </Text>
      )}
    </Box>
  );
}

/** Under the list: the filter being typed (or the note), the newest notices, the keys. */
function Footer({ state, filtering, note, notices, color }: { state: ViewState; filtering: boolean; note: string | undefined; notices: ViewState['notices']; color: boolean }) {
  const keys =
    state.screen === 'list'
      ? '↑↓/jk move  PgUp/PgDn  g/G  Enter details  / filter  f failures  r replay  c raw  q quit'
      : '↑↓/jk scroll  PgUp/PgDn  g/G top/end  c raw/pretty  r replay  Esc back  q quit';
  return (
    <>
      <Text wrap="truncate" {...tint(color, state.editing ? 'cyan' : undefined)}>
        {state.editing ? `filter: ${state.draft}▏ (Enter apply, Esc cancel)` : filtering ? `filter: ${state.filter || '-'}${state.failuresOnly ? ' [failures only]' : ''}  (Esc clears)` : (note ?? ' ')}
      </Text>
      {notices.map((n) => (
        <Text key={n.id} wrap="truncate" {...tint(color, n.level === 'warn' ? 'yellow' : undefined)}>
          {n.level === 'warn' ? 'warning: ' : ''}
          {n.text}
        </Text>
      ))}
      <Text dimColor wrap="truncate">
        {keys}
      </Text>
    </>
  );
}

/** The details or raw screen's lines, from `scroll`. */
function DetailLines({ content, scroll, height, color }: { content: readonly DescribedLine[] | undefined; scroll: number; height: number; color: boolean }) {
  if (!content) return <Text dimColor>loading…</Text>;
  return (
    <>
      {content.slice(scroll, scroll + height).map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a line has no id of its own; its place in the delivery's text is its identity
        <Text key={scroll + i} bold={l.heading === true} wrap="truncate" {...tint(color, toneColor(l.tone))}>
          {l.text || ' '}
        </Text>
      ))}
    </>
  );
}

/** The live, keyboard-driven delivery log. Only the visible rows are rendered. */
export function DeliveryView({ feed, status, actions, color, notices, throttleMs = 50, noticeMs = 6000 }: DeliveryViewProps) {
  const { stdout } = useStdout();
  const size = useTerminalSize(stdout);
  const tick = useFeedTick(feed, throttleMs);
  const { state, commit, dispatch, current } = useViewState(feed.size(), Math.max(3, (stdout.rows || 24) - 1 - HEADER_ROWS - 2));
  useNotices(notices, state.notices, noticeMs, dispatch);

  const total = feed.size();
  const counts = feed.tally();
  const providers = counts.providers.size > 1;
  const filtering = state.filter !== '' || state.failuresOnly;
  const bodyMatches = useBodyMatches(feed, state.filter, total);
  // The rows on screen: every delivery, or the positions that pass the filter.
  const indices = useFilteredRows(feed, total, tick, state, bodyMatches);
  const rowCount = indices ? indices.length : total;
  const shownNotices = state.notices.slice(-SHOWN_NOTICES);
  // The view stays one line short of the terminal, so every frame (the last one too) ends with a newline.
  const height = Math.max(3, size.rows - 1 - HEADER_ROWS - 2 - shownNotices.length);

  useEffect(() => dispatch({ type: 'rows', rows: rowCount, height }), [rowCount, height, dispatch]);
  // Draw the window as it will be once the new row count is applied, so no frame shows a stale selection.
  const win = reduce(state, { type: 'rows', rows: rowCount, height });
  const summaryAt = (row: number) => (indices ? (indices[row] === undefined ? undefined : feed.summaries(indices[row], indices[row] + 1)[0]) : feed.summaries(row, row + 1)[0]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the feed changes in place; `tick` is its version
  const visible = useMemo(() => {
    const end = Math.min(rowCount, win.top + height);
    return indices ? indices.slice(win.top, end).map((i) => feed.summaries(i, i + 1)[0]!) : feed.summaries(win.top, end);
  }, [indices, feed, win.top, height, rowCount, tick]);
  const selectedId = visible[win.selected - win.top]?.id;

  // What the details (or raw) screen shows, and so how far it scrolls.
  const loaded = useSelectedDelivery(feed, state.screen, selectedId, tick);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the feed changes in place; `total` and `tick` are its version (a replay may have been added)
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
  keyContext.current = { rows: rowCount, height, content: content?.length ?? 0, idAt: (row) => summaryAt(row)?.id };
  // Ink hands over a burst of keys read at once as one string: each key counts, in order.
  useInput((input, key) => {
    const { state: next, effects } = pressAll(current(), keyPresses(input, key), keyContext.current);
    commit(next);
    effects.forEach(run);
  });

  const width = size.columns;
  return (
    <Box flexDirection="column" width={width}>
      <Header status={status} counts={counts} shownRows={filtering ? rowCount : undefined} screen={state.screen} content={content} scroll={scroll} height={height} width={width} providers={providers} color={color} />
      <Box flexDirection="column" height={height}>
        {state.screen !== 'list' ? (
          <DetailLines content={content} scroll={scroll} height={height} color={color} />
        ) : rowCount === 0 ? (
          <Text dimColor>{total === 0 ? 'waiting for deliveries… (webhook trigger <event> sends one)' : 'nothing matches the filter (Esc clears it)'}</Text>
        ) : (
          visible.map((s, i) => <Row key={s.id} s={s} selected={win.top + i === win.selected} color={color} width={width} routed={status.showTargets === true} providers={providers} />)
        )}
      </Box>
      <Footer state={state} filtering={filtering} note={status.note} notices={shownNotices} color={color} />
    </Box>
  );
}
