import { describe, expect, it } from 'vitest';
import { keyPresses, type KeyPress } from '../src/ui/keys.js';
import { initialState, press, reduce, type Effect, type KeyContext, type ViewState } from '../src/ui/state.js';

const noKey = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false };

/** Apply what Ink hands the handler for one read, key by key, as the view does. */
function read(state: ViewState, input: string, ctx: KeyContext): { state: ViewState; effects: Effect[] } {
  const effects: Effect[] = [];
  for (const key of keyPresses(input, noKey)) {
    const result = press(state, key, ctx);
    state = result.state;
    if (result.effect) effects.push(result.effect);
  }
  return { state, effects };
}

const list = (rows: number, height = 10): KeyContext => ({ rows, height, content: 0, idAt: (row) => (row >= 0 && row < rows ? `d${row}` : undefined) });

describe('the view reducer', () => {
  it('splits a read of several keys into key presses', () => {
    expect(keyPresses('jjj', noKey)).toEqual([{ name: 'text', text: 'j' }, { name: 'text', text: 'j' }, { name: 'text', text: 'j' }]);
    expect(keyPresses('/a\r\u007f\u001b', noKey).map((k: KeyPress) => k.name)).toEqual(['text', 'text', 'return', 'backspace', 'escape']);
    expect(keyPresses('', { ...noKey, downArrow: true })).toEqual([{ name: 'down' }]);
    expect(keyPresses('c', { ...noKey, ctrl: true })).toEqual([{ name: 'interrupt' }]);
  });

  it('moves once per key of a burst, clamped to the rows', () => {
    const start = reduce(initialState, { type: 'home' });
    expect(read(start, 'jjjjj', list(20)).state.selected).toBe(5);
    expect(read(start, 'j'.repeat(50), list(20)).state).toMatchObject({ selected: 19, follow: true });
    expect(read(start, 'jjjk', list(20)).state.selected).toBe(2);
  });

  it('applies a filter typed in one read, and q or Ctrl-C in a burst quits', () => {
    const { state } = read(initialState, '/5xx\rj', list(20));
    expect(state).toMatchObject({ filter: '5xx', editing: false });
    expect(read(initialState, 'jq', list(20)).effects).toEqual([{ type: 'quit' }]);
    expect(read(initialState, '/q', list(20)).effects).toEqual([]); // typed into the filter
    expect(read(initialState, '/ab\u0003', list(20)).effects).toEqual([{ type: 'quit' }]);
  });

  it('scrolls the details between the first line and the last full window', () => {
    const details: KeyContext = { rows: 1, height: 10, content: 25, idAt: () => 'd0' };
    const open = reduce(initialState, { type: 'open' });
    expect(read(open, 'j'.repeat(40), details).state.detailScroll).toBe(15);
    expect(read(open, 'G', details).state.detailScroll).toBe(15);
    expect(read(open, 'Gkk', details).state.detailScroll).toBe(13);
    expect(read(open, 'Gg', details).state.detailScroll).toBe(0);
    expect(press(open, { name: 'pageDown' }, details).state.detailScroll).toBe(10);
    expect(read(open, 'jjj', { ...details, content: 5 }).state.detailScroll).toBe(0); // shorter than the window
  });

  it("keeps a key's result until the next key; other notices stay", () => {
    let state = reduce(reduce(initialState, { type: 'rows', rows: 3, height: 10 }), { type: 'notice', level: 'warn', text: 'tunnel reconnecting' });
    const r = press(state, { name: 'text', text: 'r' }, list(3));
    expect(r.effect).toEqual({ type: 'replay', id: 'd2', notice: 2 });
    state = reduce(r.state, { type: 'notice', level: 'info', text: 'replayed d2 → 422', transient: true, replaces: 2 });
    expect(state.notices.map((n) => n.text)).toEqual(['tunnel reconnecting', 'replayed d2 → 422']);
    expect(press(state, { name: 'text', text: 'k' }, list(3)).state.notices.map((n) => n.text)).toEqual(['tunnel reconnecting']);
    expect(reduce(state, { type: 'expire', id: 3 }).notices.map((n) => n.text)).toEqual(['tunnel reconnecting']);
  });
});
