import type { DeliverySummary } from '../store/feed.js';

/** Which screen the view shows. */
export type Screen = 'list' | 'details' | 'raw';

/** Everything the interactive view remembers; changed only through `reduce`. */
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
  /** A one-line message (replay result, errors). */
  readonly message?: string | undefined;
}

export const initialState: ViewState = { screen: 'list', selected: 0, follow: true, top: 0, filter: '', editing: false, draft: '', failuresOnly: false, detailScroll: 0 };

export type Action =
  | { type: 'move'; by: number; rows: number; height: number }
  | { type: 'home' }
  | { type: 'end'; rows: number; height: number }
  | { type: 'rows'; rows: number; height: number }
  | { type: 'open' }
  | { type: 'raw' }
  | { type: 'back' }
  | { type: 'scroll'; by: number }
  | { type: 'startFilter' }
  | { type: 'type'; text: string }
  | { type: 'erase' }
  | { type: 'applyFilter' }
  | { type: 'cancelFilter' }
  | { type: 'toggleFailures' }
  | { type: 'message'; text: string | undefined };

const clamp = (n: number, min: number, max: number) => Math.max(min, Math.min(max, n));

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
      if (state.screen !== 'list') return { ...state, detailScroll: Math.max(0, state.detailScroll + action.by) };
      return windowed(state, state.selected + action.by, action.rows, action.height);
    case 'home':
      return state.screen === 'list' ? { ...state, selected: 0, top: 0, follow: false } : { ...state, detailScroll: 0 };
    case 'end':
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
      return state.filter || state.failuresOnly ? { ...state, filter: '', failuresOnly: false, message: undefined } : state;
    case 'scroll':
      return { ...state, detailScroll: Math.max(0, state.detailScroll + action.by) };
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
    case 'message':
      return { ...state, message: action.text };
  }
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

/** Running totals for the status bar, updated incrementally: each update looks only at new rows and rows still waiting for their outcome. */
export class Counts {
  total = 0;
  ok = 0;
  failed = 0;
  signatureFailures = 0;
  private seen = 0;
  private readonly open = new Set<number>();

  update(size: number, read: (start: number, end: number) => readonly DeliverySummary[]): void {
    for (let i = this.seen; i < size; i++) this.open.add(i);
    this.seen = Math.max(this.seen, size);
    this.total = size;
    for (const index of this.open) {
      const s = read(index, index + 1)[0];
      if (!s || s.answered === undefined) continue;
      this.open.delete(index);
      if (s.answered >= 200 && s.answered < 300) this.ok++;
      else this.failed++;
      if (s.signature === 'failed') this.signatureFailures++;
    }
  }
}
