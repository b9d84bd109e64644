import type { DeliverySummary } from '../store/feed.js';
import type { KeyPress } from './keys.js';

/** Which screen the view shows. */
export type Screen = 'list' | 'details' | 'raw';

/** A line in the notice area: what the plain output would have printed (warnings, registration, catch-up), or a key's result. */
export interface Notice {
  readonly id: number;
  readonly level: 'info' | 'warn';
  readonly text: string;
  /** A key's result (replayed … → 422): gone at the next key press or after a few seconds. */
  readonly transient: boolean;
}

/** Everything the interactive view remembers; changed only through `reduce` and `press`. */
export interface ViewState {
  readonly screen: Screen;
  /** Index into the visible rows (all deliveries, or the filtered ones). */
  readonly selected: number;
  /** Keep the newest delivery selected as new ones arrive. */
  readonly follow: boolean;
  /** First visible row of the list window. */
  readonly top: number;
  readonly filter: string;
  /** Typing a filter after "/" */
  readonly editing: boolean;
  readonly draft: string;
  readonly failuresOnly: boolean;
  /** Scroll offset inside the details screen. */
  readonly detailScroll: number;
  /** Oldest first; the newest are shown under the list. */
  readonly notices: readonly Notice[];
  readonly nextNoticeId: number;
}

export const initialState: ViewState = { screen: 'list', selected: 0, follow: true, top: 0, filter: '', editing: false, draft: '', failuresOnly: false, detailScroll: 0, notices: [], nextNoticeId: 1 };

/** How many notices the state keeps (the view shows the newest few). */
export const KEPT_NOTICES = 50;

export type Action =
  | { type: 'move'; by: number; rows: number; height: number; content: number }
  | { type: 'home' }
  | { type: 'end'; rows: number; height: number; content: number }
  | { type: 'rows'; rows: number; height: number }
  | { type: 'open' }
  | { type: 'raw' }
  | { type: 'back' }
  | { type: 'startFilter' }
  | { type: 'type'; text: string }
  | { type: 'erase' }
  | { type: 'applyFilter' }
  | { type: 'cancelFilter' }
  | { type: 'toggleFailures' }
  | { type: 'notice'; level: Notice['level']; text: string; transient?: boolean; replaces?: number }
  | { type: 'expire'; id: number }
  | { type: 'dropTransient' };

const clamp = (n: number, min: number, max: number) => Math.max(min, Math.min(max, n));

/** The furthest the details screen scrolls: its last line at the bottom of the window. */
export const maxScroll = (content: number, height: number) => Math.max(0, content - height);

/** Keep the selection inside the window of `height` rows. */
function windowed(state: ViewState, selected: number, rows: number, height: number): ViewState {
  const last = Math.max(0, rows - 1);
  const sel = clamp(selected, 0, last);
  let top = state.top;
  if (sel < top) top = sel;
  if (sel >= top + height) top = sel - height + 1;
  top = clamp(top, 0, Math.max(0, rows - height));
  return { ...state, selected: sel, top, follow: sel === last };
}

export function reduce(state: ViewState, action: Action): ViewState {
  switch (action.type) {
    case 'move':
      if (state.screen !== 'list') return { ...state, detailScroll: clamp(state.detailScroll + action.by, 0, maxScroll(action.content, action.height)) };
      return windowed(state, state.selected + action.by, action.rows, action.height);
    case 'home':
      return state.screen === 'list' ? { ...state, selected: 0, top: 0, follow: false } : { ...state, detailScroll: 0 };
    case 'end':
      if (state.screen !== 'list') return { ...state, detailScroll: maxScroll(action.content, action.height) };
      return windowed(state, action.rows - 1, action.rows, action.height);
    case 'rows':
      // New deliveries (or a new filter): follow the newest, or keep the selected row in view.
      return windowed(state, state.follow ? action.rows - 1 : state.selected, action.rows, action.height);
    case 'open':
      return { ...state, screen: 'details', detailScroll: 0 };
    case 'raw':
      return { ...state, screen: state.screen === 'raw' ? 'details' : 'raw', detailScroll: 0 };
    case 'back':
      if (state.editing) return { ...state, editing: false, draft: '' };
      if (state.screen === 'raw') return { ...state, screen: 'details', detailScroll: 0 };
      if (state.screen === 'details') return { ...state, screen: 'list' };
      return state.filter || state.failuresOnly ? { ...state, filter: '', failuresOnly: false } : state;
    case 'startFilter':
      return { ...state, editing: true, draft: state.filter };
    case 'type':
      return { ...state, draft: state.draft + action.text };
    case 'erase':
      return { ...state, draft: state.draft.slice(0, -1) };
    case 'applyFilter':
      return { ...state, editing: false, filter: state.draft.trim(), follow: true };
    case 'cancelFilter':
      return { ...state, editing: false, draft: '' };
    case 'toggleFailures':
      return { ...state, failuresOnly: !state.failuresOnly, follow: true };
    case 'notice': {
      const notice: Notice = { id: state.nextNoticeId, level: action.level, text: action.text, transient: action.transient === true };
      const kept = state.notices.filter((n) => n.id !== action.replaces);
      return { ...state, notices: [...kept, notice].slice(-KEPT_NOTICES), nextNoticeId: state.nextNoticeId + 1 };
    }
    case 'expire':
      return state.notices.some((n) => n.id === action.id) ? { ...state, notices: state.notices.filter((n) => n.id !== action.id) } : state;
    case 'dropTransient':
      return state.notices.some((n) => n.transient) ? { ...state, notices: state.notices.filter((n) => !n.transient) } : state;
  }
}

/** What the view knows when a key arrives. */
export interface KeyContext {
  /** Rows in the list (after the filter). */
  readonly rows: number;
  /** Lines in the list or details window. */
  readonly height: number;
  /** Lines of the details (or raw body) screen now shown; 0 while loading. */
  readonly content: number;
  /** The delivery id at a row of the list. */
  idAt(row: number): string | undefined;
}

/** What a key asks the view to do beyond changing its state. */
export type Effect = { readonly type: 'quit' } | { readonly type: 'replay'; readonly id: string; readonly notice: number };

/**
 * One key press: the next state and what to do. Keys of one burst are applied one after another,
 * each on the state the previous one left (so `jjj` moves three rows and `/5xx⏎` filters).
 */
export function press(before: ViewState, key: KeyPress, ctx: KeyContext): { state: ViewState; effect?: Effect } {
  // A key's result stays until the next key.
  const state = reduce(before, { type: 'dropTransient' });
  const text = key.name === 'text' ? key.text : undefined;
  if (key.name === 'interrupt') return { state, effect: { type: 'quit' } };
  if (state.editing) {
    if (key.name === 'return') return { state: reduce(state, { type: 'applyFilter' }) };
    if (key.name === 'escape') return { state: reduce(state, { type: 'cancelFilter' }) };
    if (key.name === 'backspace') return { state: reduce(state, { type: 'erase' }) };
    return { state: text === undefined ? state : reduce(state, { type: 'type', text }) };
  }
  const { rows, height, content } = ctx;
  const selectedId = ctx.idAt(state.selected);
  switch (key.name) {
    case 'escape':
      return { state: reduce(state, { type: 'back' }) };
    case 'backspace':
      return { state: state.screen === 'list' ? state : reduce(state, { type: 'back' }) };
    case 'up':
      return { state: reduce(state, { type: 'move', by: -1, rows, height, content }) };
    case 'down':
      return { state: reduce(state, { type: 'move', by: 1, rows, height, content }) };
    case 'pageUp':
      return { state: reduce(state, { type: 'move', by: -height, rows, height, content }) };
    case 'pageDown':
      return { state: reduce(state, { type: 'move', by: height, rows, height, content }) };
    case 'home':
      return { state: reduce(state, { type: 'home' }) };
    case 'end':
      return { state: reduce(state, { type: 'end', rows, height, content }) };
    case 'return':
      return { state: state.screen === 'list' && selectedId ? reduce(state, { type: 'open' }) : state };
    case 'tab':
      return { state };
    case 'text':
      break;
  }
  switch (text) {
    case '/':
      return { state: reduce(state, { type: 'startFilter' }) };
    case 'q':
      return { state, effect: { type: 'quit' } };
    case 'k':
      return press(state, { name: 'up' }, ctx);
    case 'j':
      return press(state, { name: 'down' }, ctx);
    case 'g':
      return press(state, { name: 'home' }, ctx);
    case 'G':
      return press(state, { name: 'end' }, ctx);
    case 'f':
      return { state: reduce(state, { type: 'toggleFailures' }) };
    case 'c':
      if (!selectedId) return { state };
      return { state: reduce(state.screen === 'list' ? reduce(state, { type: 'open' }) : state, { type: 'raw' }) };
    case 'r': {
      if (!selectedId) return { state };
      const next = reduce(state, { type: 'notice', level: 'info', text: `replaying ${selectedId}…`, transient: true });
      return { state: next, effect: { type: 'replay', id: selectedId, notice: state.nextNoticeId } };
    }
    default:
      return { state };
  }
}

/**
 * A burst of keys read at once (Ink hands them over as one string), each applied to the state the
 * previous one left, as of the frame on screen (`ctx`); a quit ends the burst.
 */
export function pressAll(before: ViewState, keys: Iterable<KeyPress>, ctx: KeyContext): { state: ViewState; effects: Effect[] } {
  let state = reduce(before, { type: 'rows', rows: ctx.rows, height: ctx.height });
  const effects: Effect[] = [];
  for (const key of keys) {
    const result = press(state, key, ctx);
    state = result.state;
    if (result.effect) effects.push(result.effect);
    if (result.effect?.type === 'quit') break;
  }
  return { state, effects };
}

/** A delivery counts as failed when the app answered non-2xx, did not answer, or the signature failed. */
export function isFailure(s: DeliverySummary): boolean {
  return s.signature === 'failed' || (s.answered !== undefined && (s.answered < 200 || s.answered >= 300));
}

/**
 * Does a row match the filter text? Words are ANDed; a word matches the event name, the status
 * ("500", "5xx"), the signature state, a delivery id or the provider's message id (as printed by
 * trigger, resend and replay),
 * or (through `bodyMatches`) text in the body.
 */
export function matchesFilter(s: DeliverySummary, filter: string, bodyMatches: ReadonlySet<string> | undefined): boolean {
  if (filter === '') return true;
  const status = String(s.status ?? s.answered ?? '');
  return filter
    .toLowerCase()
    .split(/\s+/)
    .every((word) => {
      if ((s.event ?? '').toLowerCase().includes(word)) return true;
      if (/^\dxx$/.test(word) && status.startsWith(word[0]!)) return true;
      if (status === word || s.signature === word) return true;
      if (s.id.toLowerCase() === word || s.messageId?.toLowerCase() === word) return true;
      return bodyMatches?.has(s.id) === true;
    });
}
