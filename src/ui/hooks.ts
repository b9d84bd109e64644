import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { DeliveryFeed } from '../store/feed.js';
import type { Delivery } from '../store/types.js';
import type { NoticeBoard } from './notices.js';
import { initialState, isFailure, matchesFilter, reduce, type Action, type ViewState } from './state.js';

/** Summaries read at a time when every row is looked at (filter). */
const SLICE = 4096;

/** The terminal's size, following resizes. */
export function useTerminalSize(stdout: NodeJS.WriteStream): { columns: number; rows: number } {
  const [size, setSize] = useState({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  useEffect(() => {
    const onResize = () => setSize({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
    stdout.on('resize', onResize);
    return () => void stdout.off('resize', onResize);
  }, [stdout]);
  return size;
}

/** A number that changes when the feed has new records, throttled so a burst is one frame. */
export function useFeedTick(feed: DeliveryFeed, throttleMs: number): number {
  const [tick, setTick] = useState(0);
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
  return tick;
}

/**
 * The view's state, in a ref as well as in React: keys of one burst, and notices posted in one
 * turn, each apply to the state the previous one left, before React renders again.
 */
export function useViewState(initialRows: number, initialHeight: number) {
  const stateRef = useRef<ViewState | undefined>(undefined);
  // Start in follow mode on the newest delivery, so the first frame is already right.
  stateRef.current ??= reduce(initialState, { type: 'rows', rows: initialRows, height: initialHeight });
  const [state, setState] = useState<ViewState>(stateRef.current);
  const commit = useCallback((next: ViewState) => {
    stateRef.current = next;
    setState(next);
  }, []);
  const dispatch = useCallback((action: Action) => commit(reduce(stateRef.current!, action)), [commit]);
  const current = useCallback(() => stateRef.current!, []);
  return { state, commit, dispatch, current };
}

/**
 * Every notice the command posts reaches the notice area (including those posted before this
 * subscribed); a key's result goes away after `noticeMs` even when no key is pressed.
 */
export function useNotices(notices: NoticeBoard | undefined, shown: ViewState['notices'], noticeMs: number, dispatch: (action: Action) => void): void {
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

  const expiry = useRef(new Map<number, NodeJS.Timeout>());
  useEffect(() => {
    for (const n of shown) {
      if (!n.transient || expiry.current.has(n.id)) continue;
      expiry.current.set(n.id, setTimeout(() => dispatch({ type: 'expire', id: n.id }), noticeMs));
    }
  }, [shown, noticeMs, dispatch]);
  useEffect(
    () => () => {
      for (const timer of expiry.current.values()) clearTimeout(timer);
    },
    [],
  );
}

/** Ids of deliveries whose body contains the filter text (searched on disk, as the filter changes). */
export function useBodyMatches(feed: DeliveryFeed, filter: string, total: number): ReadonlySet<string> | undefined {
  const [bodyMatches, setBodyMatches] = useState<ReadonlySet<string> | undefined>(undefined);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the feed grows in place; `total` is its version (search again when it grew)
  useEffect(() => {
    if (filter === '') return setBodyMatches(undefined);
    const abort = new AbortController();
    void feed.searchBodies(filter, abort.signal).then((ids) => !abort.signal.aborted && setBodyMatches(ids));
    return () => abort.abort();
  }, [feed, filter, total]);
  return bodyMatches;
}

/** The positions of the rows that pass the filter; undefined when nothing filters (every row shows). */
export function useFilteredRows(feed: DeliveryFeed, total: number, tick: number, state: ViewState, bodyMatches: ReadonlySet<string> | undefined): number[] | undefined {
  const filtering = state.filter !== '' || state.failuresOnly;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the feed changes in place; `tick` is its version
  return useMemo(() => {
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
}

/** The selected delivery, read from the log while a details or raw screen shows it. */
export function useSelectedDelivery(feed: DeliveryFeed, screen: ViewState['screen'], selectedId: string | undefined, tick: number): Delivery | undefined {
  const [detail, setDetail] = useState<Delivery | undefined>(undefined);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the feed changes in place; `tick` is its version (the outcome may have arrived)
  useEffect(() => {
    if (screen === 'list' || !selectedId) return;
    let live = true;
    void feed.load(selectedId).then((d) => live && setDetail(d));
    return () => {
      live = false;
    };
  }, [screen, selectedId, tick, feed]);
  return screen !== 'list' && detail !== undefined && detail.request.id === selectedId ? detail : undefined;
}
