/**
 * The interactive view's pure parts (src/ui/state.ts, src/ui/keys.ts): state transitions, the
 * filter, failure rules and running counts, without Ink. test/ui-state.test.ts covers key bursts,
 * details scrolling and transient notices; test/ui.test.tsx the rendered view.
 */
import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import type { DeliverySummary } from '../../src/store/feed.js';
import { keyPresses, type KeyPress } from '../../src/ui/keys.js';
import { initialState, isFailure, KEPT_NOTICES, matchesFilter, press, reduce, type KeyContext, type ViewState } from '../../src/ui/state.js';

const noKey: Key = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false };

/** A list of `rows` deliveries d0…d{rows-1} in a window of `height` lines. */
const list = (rows: number, height = 5): KeyContext => ({ rows, height, content: 0, idAt: (row) => (row >= 0 && row < rows ? `d${row}` : undefined) });
const text = (t: string): KeyPress => ({ name: 'text', text: t });

/** Press keys one after another, as the view applies a burst. */
function keys(state: ViewState, ctx: KeyContext, ...presses: (KeyPress | string)[]): ViewState {
  for (const p of presses) state = press(state, typeof p === 'string' ? text(p) : p, ctx).state;
  return state;
}

/** The view starts on `rows` deliveries in follow mode (as DeliveryView does). */
const started = (rows: number, height = 5) => reduce(initialState, { type: 'rows', rows, height });

function summary(over: Partial<DeliverySummary> & { id: string }): DeliverySummary {
  return { receivedAt: 0, provider: 'paystack', method: 'POST', path: '/', bodySize: 2, signature: 'verified', ...over };
}

describe('keyPresses: what Ink hands the view, as key presses', () => {
  it('names each special key Ink flags', () => {
    const cases: Array<[Partial<Key>, KeyPress['name']]> = [
      [{ upArrow: true }, 'up'],
      [{ downArrow: true }, 'down'],
      [{ pageUp: true }, 'pageUp'],
      [{ pageDown: true }, 'pageDown'],
      [{ home: true }, 'home'],
      [{ end: true }, 'end'],
      [{ return: true }, 'return'],
      [{ escape: true }, 'escape'],
      [{ backspace: true }, 'backspace'],
      [{ delete: true }, 'backspace'],
      [{ tab: true }, 'tab'],
    ];
    for (const [flags, name] of cases) expect(keyPresses('', { ...noKey, ...flags }), name).toEqual([{ name }]);
  });

  it('drops other Ctrl chords and empty reads; keeps a character of several code units whole', () => {
    expect(keyPresses('x', { ...noKey, ctrl: true })).toEqual([]);
    expect(keyPresses('', noKey)).toEqual([]);
    expect(keyPresses('é✓😀', noKey)).toEqual([text('é'), text('✓'), text('😀')]);
  });

  it('maps control characters inside a read and drops the unknown ones', () => {
    expect(keyPresses('a\nb\tc\bd\u0001e', noKey)).toEqual([text('a'), { name: 'return' }, text('b'), { name: 'tab' }, text('c'), { name: 'backspace' }, text('d'), text('e')]);
    expect(keyPresses('\u0003', noKey)).toEqual([{ name: 'interrupt' }]);
  });
});

describe('selection and the list window', () => {
  it('follows the newest delivery as rows arrive, with the window at the bottom', () => {
    let state = started(3);
    expect(state).toMatchObject({ selected: 2, top: 0, follow: true });
    state = reduce(state, { type: 'rows', rows: 12, height: 5 });
    expect(state).toMatchObject({ selected: 11, top: 7, follow: true });
  });

  it('stops following when the selection leaves the newest row, and keeps the selected row as rows arrive', () => {
    let state = keys(started(12), list(12), 'k', 'k');
    expect(state).toMatchObject({ selected: 9, top: 7, follow: false });
    state = reduce(state, { type: 'rows', rows: 20, height: 5 });
    expect(state).toMatchObject({ selected: 9, top: 7, follow: false });
    // Back on the newest row: following again.
    state = keys(state, list(20), 'G');
    expect(state).toMatchObject({ selected: 19, top: 15, follow: true });
    expect(reduce(state, { type: 'rows', rows: 21, height: 5 }).selected).toBe(20);
  });

  it('scrolls the window only when the selection leaves it', () => {
    let state = keys(started(30), list(30), 'g');
    expect(state).toMatchObject({ selected: 0, top: 0, follow: false });
    state = keys(state, list(30), 'j', 'j', 'j', 'j');
    expect(state).toMatchObject({ selected: 4, top: 0 });
    state = keys(state, list(30), 'j');
    expect(state).toMatchObject({ selected: 5, top: 1 });
    state = keys(state, list(30), 'k', 'k', 'k', 'k');
    expect(state).toMatchObject({ selected: 1, top: 1 });
    state = keys(state, list(30), 'k');
    expect(state).toMatchObject({ selected: 0, top: 0 });
  });

  it('pages by the window height and clamps at both ends', () => {
    const ctx = list(12);
    let state = keys(started(12), ctx, 'g', { name: 'pageDown' });
    expect(state).toMatchObject({ selected: 5, top: 1 });
    state = keys(state, ctx, { name: 'pageDown' }, { name: 'pageDown' });
    expect(state).toMatchObject({ selected: 11, top: 7, follow: true });
    state = keys(state, ctx, { name: 'pageUp' });
    expect(state).toMatchObject({ selected: 6, top: 6, follow: false });
    state = keys(state, ctx, { name: 'pageUp' }, { name: 'pageUp' }, { name: 'up' });
    expect(state).toMatchObject({ selected: 0, top: 0 });
    expect(keys(state, ctx, { name: 'home' })).toMatchObject({ selected: 0, top: 0, follow: false });
    expect(keys(state, ctx, { name: 'end' })).toMatchObject({ selected: 11, top: 7, follow: true });
  });

  it('clamps the selection when the rows shrink (a filter) and copes with no rows at all', () => {
    let state = keys(started(30), list(30), 'g', { name: 'pageDown' }, { name: 'pageDown' }, 'k');
    expect(state).toMatchObject({ selected: 9, follow: false });
    state = reduce(state, { type: 'rows', rows: 4, height: 5 });
    expect(state).toMatchObject({ selected: 3, top: 0, follow: true });
    state = reduce(state, { type: 'rows', rows: 0, height: 5 });
    expect(state).toMatchObject({ selected: 0, top: 0 });
    expect(keys(state, list(0), 'j', 'G', { name: 'pageDown' })).toMatchObject({ selected: 0, top: 0 });
  });

  it('the same row count applied twice changes nothing (the view applies it on every frame)', () => {
    for (const state of [started(7), keys(started(30), list(30), 'g', 'j', 'j')]) {
      const once = reduce(state, { type: 'rows', rows: 30, height: 5 });
      expect(reduce(once, { type: 'rows', rows: 30, height: 5 })).toEqual(once);
    }
  });

  it('arrows move in the list but scroll the details, keeping the list selection', () => {
    const open = keys(started(10), list(10), 'g', 'j', { name: 'return' });
    expect(open).toMatchObject({ screen: 'details', selected: 1, detailScroll: 0 });
    const scrolled = keys(open, { ...list(10), content: 40 }, 'j', 'j', { name: 'down' });
    expect(scrolled).toMatchObject({ selected: 1, detailScroll: 3 });
    expect(keys(scrolled, { ...list(10), content: 40 }, 'g')).toMatchObject({ selected: 1, detailScroll: 0 });
  });
});

describe('screens: list, details, raw body', () => {
  it('opens the selected delivery on return, and not when nothing is selected', () => {
    expect(keys(started(3), list(3), { name: 'return' }).screen).toBe('details');
    expect(keys(started(0), list(0), { name: 'return' }).screen).toBe('list');
  });

  it('c opens the raw body from the list, toggles raw and details, and escape/backspace go back one screen', () => {
    const ctx = list(3);
    const raw = keys(started(3), ctx, 'c');
    expect(raw.screen).toBe('raw');
    expect(keys(raw, ctx, 'c').screen).toBe('details');
    const details = keys(raw, ctx, { name: 'escape' });
    expect(details.screen).toBe('details');
    expect(keys(details, ctx, 'c').screen).toBe('raw');
    expect(keys(details, ctx, { name: 'escape' }).screen).toBe('list');
    expect(keys(raw, ctx, { name: 'backspace' }).screen).toBe('details');
    expect(keys(details, ctx, { name: 'backspace' }).screen).toBe('list');
    expect(keys(started(0), list(0), 'c').screen).toBe('list');
  });

  it('switching screens starts the details at the top', () => {
    const ctx = { ...list(3), content: 50 };
    const scrolled = keys(started(3), ctx, { name: 'return' }, 'j', 'j');
    expect(scrolled.detailScroll).toBe(2);
    expect(keys(scrolled, ctx, 'c').detailScroll).toBe(0);
    expect(keys(scrolled, ctx, 'c', 'j', { name: 'escape' })).toMatchObject({ screen: 'details', detailScroll: 0 });
  });

  it('backspace, tab and unbound keys in the list change nothing', () => {
    const state = keys(started(3), list(3), '/', '5', { name: 'return' });
    for (const key of [{ name: 'backspace' } as const, { name: 'tab' } as const, text('x'), text('?')]) expect(press(state, key, list(3)).state).toBe(state);
  });
});

describe('the filter line', () => {
  it('starts from the current filter, edits, and applies trimmed (following the newest match)', () => {
    const ctx = list(10);
    let state = keys(started(10), ctx, 'g', '/', ' ', '5', 'x', 'x', 'x', { name: 'backspace' }, ' ');
    expect(state).toMatchObject({ editing: true, draft: ' 5xx ', filter: '' });
    state = keys(state, ctx, { name: 'return' });
    expect(state).toMatchObject({ editing: false, filter: '5xx', follow: true });
    expect(keys(state, ctx, '/')).toMatchObject({ editing: true, draft: '5xx' });
  });

  it('keys other than text, backspace, return and escape do nothing while typing', () => {
    const editing = keys(started(10), list(10), 'g', '/', 'a');
    for (const key of [{ name: 'up' } as const, { name: 'pageDown' } as const, { name: 'end' } as const, { name: 'tab' } as const]) expect(press(editing, key, list(10)).state).toBe(editing);
    // Letters bound to commands are text here.
    expect(keys(editing, list(10), 'j', 'f', 'c', 'r', 'G')).toMatchObject({ draft: 'ajfcrG', selected: 0, failuresOnly: false, screen: 'list' });
  });

  it('escape while typing drops the draft and keeps the filter that was applied', () => {
    const ctx = list(10);
    const applied = keys(started(10), ctx, '/', 'a', { name: 'return' });
    const cancelled = keys(applied, ctx, '/', 'b', { name: 'escape' });
    expect(cancelled).toMatchObject({ editing: false, draft: '', filter: 'a' });
  });

  it('f toggles failures only; escape in the list clears both filters, and is a no-op without them', () => {
    const ctx = list(10);
    const failures = keys(started(10), ctx, 'g', 'f');
    expect(failures).toMatchObject({ failuresOnly: true, follow: true });
    expect(keys(failures, ctx, 'f').failuresOnly).toBe(false);
    const both = keys(failures, ctx, '/', '5', { name: 'return' });
    expect(keys(both, ctx, { name: 'escape' })).toMatchObject({ filter: '', failuresOnly: false, screen: 'list' });
    const plain = started(10);
    expect(press(plain, { name: 'escape' }, ctx).state).toBe(plain);
  });
});

describe('effects', () => {
  it('r replays the selected delivery and names the notice that will carry its result', () => {
    let state = reduce(started(4), { type: 'notice', level: 'warn', text: 'w' });
    state = keys(state, list(4), 'k');
    const result = press(state, text('r'), list(4));
    expect(result.effect).toEqual({ type: 'replay', id: 'd2', notice: state.nextNoticeId });
    expect(result.state.notices.at(-1)).toMatchObject({ id: state.nextNoticeId, text: 'replaying d2…', transient: true, level: 'info' });
    expect(press(started(0), text('r'), list(0))).toEqual({ state: started(0) });
  });

  it('q quits from any screen, Ctrl-C even while typing a filter', () => {
    const ctx = list(3);
    expect(press(keys(started(3), ctx, 'c'), text('q'), ctx).effect).toEqual({ type: 'quit' });
    expect(press(keys(started(3), ctx, '/'), { name: 'interrupt' }, ctx).effect).toEqual({ type: 'quit' });
  });
});

describe('notices', () => {
  it('keeps the newest KEPT_NOTICES, ids always increasing', () => {
    let state = initialState;
    for (let i = 0; i < KEPT_NOTICES + 5; i++) state = reduce(state, { type: 'notice', level: 'info', text: `n${i}` });
    expect(state.notices).toHaveLength(KEPT_NOTICES);
    expect(state.notices[0]).toMatchObject({ id: 6, text: 'n5', transient: false });
    expect(state.notices.at(-1)).toMatchObject({ id: KEPT_NOTICES + 5, text: `n${KEPT_NOTICES + 4}` });
    expect(state.nextNoticeId).toBe(KEPT_NOTICES + 6);
  });

  it('a replacing notice takes the old one out and goes last', () => {
    let state = reduce(initialState, { type: 'notice', level: 'info', text: 'a' });
    state = reduce(state, { type: 'notice', level: 'warn', text: 'b' });
    state = reduce(state, { type: 'notice', level: 'info', text: 'a2', replaces: 1 });
    expect(state.notices.map((n) => [n.id, n.text])).toEqual([
      [2, 'b'],
      [3, 'a2'],
    ]);
  });

  it('returns the same state when nothing expires or is transient (no needless re-render)', () => {
    const state = reduce(initialState, { type: 'notice', level: 'info', text: 'kept' });
    expect(reduce(state, { type: 'expire', id: 99 })).toBe(state);
    expect(reduce(state, { type: 'dropTransient' })).toBe(state);
    expect(reduce(state, { type: 'expire', id: 1 }).notices).toEqual([]);
  });
});

describe('isFailure', () => {
  it.each([
    [{ answered: 200 }, false],
    [{ answered: 204 }, false],
    [{ answered: 299 }, false],
    [{ answered: 300 }, true],
    [{ answered: 199 }, true],
    [{ answered: 500 }, true],
    [{ answered: 502 }, true],
    [{}, false], // still waiting for the app
    [{ signature: 'failed' as const }, true],
    [{ signature: 'failed' as const, answered: 200 }, true],
    [{ signature: 'unknown' as const, answered: 200 }, false],
  ])('%j → %s', (over, failed) => {
    expect(isFailure(summary({ id: 'd1', ...over }))).toBe(failed);
  });
});

describe('matchesFilter', () => {
  const rows = [
    summary({ id: 'wh_a1', messageId: 'msg_Alpha', event: 'charge.success', status: 200, answered: 200 }),
    summary({ id: 'wh_b2', event: 'transfer.failed', status: 500, answered: 500, signature: 'failed' }),
    summary({ id: 'wh_c3', event: 'Charge.Refunded', answered: 502 }), // no app status: the receiver's answer counts
    summary({ id: 'wh_d4', event: 'charge.success' }), // pending
    summary({ id: 'wh_e5', status: 404, answered: 404 }), // no event
  ];
  const matching = (filter: string, bodies?: ReadonlySet<string>) => rows.filter((r) => matchesFilter(r, filter, bodies)).map((r) => r.id);

  it('an empty filter matches everything', () => {
    expect(matching('')).toHaveLength(rows.length);
  });

  it('matches part of the event name, ignoring case', () => {
    expect(matching('charge')).toEqual(['wh_a1', 'wh_c3', 'wh_d4']);
    expect(matching('REFUND')).toEqual(['wh_c3']);
  });

  it('matches a status exactly or by class, from the app status or else the answer', () => {
    expect(matching('500')).toEqual(['wh_b2']);
    expect(matching('50')).toEqual([]);
    expect(matching('5xx')).toEqual(['wh_b2', 'wh_c3']);
    expect(matching('502')).toEqual(['wh_c3']);
    expect(matching('4XX')).toEqual(['wh_e5']);
    expect(matching('2xx')).toEqual(['wh_a1']);
  });

  it('matches the signature state', () => {
    expect(matching('failed')).toEqual(['wh_b2']); // also the event transfer.failed: same row
    expect(matching('verified')).toEqual(['wh_a1', 'wh_c3', 'wh_d4', 'wh_e5']);
  });

  it('matches a whole delivery id or message id, ignoring case, not a part of one', () => {
    expect(matching('wh_b2')).toEqual(['wh_b2']);
    expect(matching('WH_B2')).toEqual(['wh_b2']);
    expect(matching('msg_alpha')).toEqual(['wh_a1']);
    expect(matching('wh_')).toEqual([]);
    expect(matching('msg_al')).toEqual([]);
  });

  it('ANDs the words, whatever the spacing', () => {
    expect(matching('charge 2xx')).toEqual(['wh_a1']);
    expect(matching('charge   5xx')).toEqual(['wh_c3']);
    expect(matching('charge 4xx')).toEqual([]);
  });

  it('a delivery whose body holds the filter text (searched by the feed) matches, whatever its other fields', () => {
    expect(matching('cus_123', new Set(['wh_d4']))).toEqual(['wh_d4']);
    expect(matching('charge cus_123', new Set(['wh_e5']))).toEqual(['wh_e5']);
    expect(matching('cus_123', undefined)).toEqual([]);
  });
});
