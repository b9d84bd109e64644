/**
 * Text from outside (event names, ids, paths, headers, bodies, the app's answers, a provider's
 * error messages) as shown to a person: control characters are escaped (`\x1b`, `\u202e`), so a
 * forged delivery cannot recolour, hide or rewrite what the terminal shows, set its title or
 * write the clipboard (ESC, CSI, OSC, BEL, C1 controls, bidirectional overrides). `--json` output
 * stays exact: it is never passed through here.
 */
// C0 controls, DEL, C1 controls, and the invisible bidirectional marks and overrides.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CONTROLS_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const escapeControl = (ch: string) => {
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** One line of outside text, every control character escaped (newlines and tabs too). */
export function printable(text: string): string {
  return text.replace(CONTROLS, escapeControl);
}

/** Outside text over several lines (a body): newlines and tabs kept, every other control escaped. */
export function printableLines(text: string): string {
  return text.replace(CONTROLS_BUT_LINES, escapeControl);
}
