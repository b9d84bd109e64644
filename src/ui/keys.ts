import type { Key as InkKey } from 'ink';

/** One key press, as the view's reducer understands it. */
export type KeyPress =
  | { readonly name: 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'return' | 'escape' | 'backspace' | 'tab' | 'interrupt' }
  | { readonly name: 'text'; readonly text: string };

const CONTROL: Readonly<Record<string, KeyPress>> = {
  '\r': { name: 'return' },
  '\n': { name: 'return' },
  '\t': { name: 'tab' },
  '\u007f': { name: 'backspace' },
  '\b': { name: 'backspace' },
  '\u0003': { name: 'interrupt' },
  '\u001b': { name: 'escape' },
};

/**
 * Split what Ink hands `useInput` into key presses. Ink already separates escape sequences
 * (arrows, PgUp…) from text, but a run of ordinary keys read in one chunk (a held `j` over SSH
 * or tmux, fast typing, a paste) arrives as one string: each character is a key press of its own.
 */
export function keyPresses(input: string, key: InkKey): KeyPress[] {
  if (key.ctrl && input === 'c') return [{ name: 'interrupt' }];
  if (key.upArrow) return [{ name: 'up' }];
  if (key.downArrow) return [{ name: 'down' }];
  if (key.pageUp) return [{ name: 'pageUp' }];
  if (key.pageDown) return [{ name: 'pageDown' }];
  if (key.home) return [{ name: 'home' }];
  if (key.end) return [{ name: 'end' }];
  if (key.return) return [{ name: 'return' }];
  if (key.escape) return [{ name: 'escape' }];
  if (key.backspace || key.delete) return [{ name: 'backspace' }];
  if (key.tab) return [{ name: 'tab' }];
  if (key.ctrl || input === '') return [];
  const presses: KeyPress[] = [];
  for (const char of input) {
    const control = CONTROL[char];
    if (control) presses.push(control);
    else if (char >= ' ') presses.push({ name: 'text', text: char });
  }
  return presses;
}
