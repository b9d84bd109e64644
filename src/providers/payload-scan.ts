/**
 * Read a few fields of a JSON body without building it: one pass over the bytes that checks the
 * whole body is JSON (what `JSON.parse` accepts, no more, no less) and keeps only the values at
 * the asked paths, as `JSON.parse` would give them (the last of duplicate keys wins). The
 * receiver reads the event name and the message id this way: parsing every body whole, only to
 * read one or two fields, is a measurable part of what it costs to look at a delivery.
 * Iterative (an explicit stack): any nesting depth costs only its bytes.
 */

/** A value found at a path: a string, a number, or anything else (object, array, literal). */
export type ScannedValue = { readonly kind: 'string'; readonly value: string } | { readonly kind: 'number'; readonly value: number } | { readonly kind: 'other' };

/** `json: false`: JSON.parse would throw. Otherwise what each path holds (undefined: nothing there). */
export type ScanResult = { readonly json: true; readonly values: readonly (ScannedValue | undefined)[] } | { readonly json: false };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OTHER: ScannedValue = { kind: 'other' };

/** Keys as UTF-8 bytes, compared with the body's raw key bytes (kept per key: keys are few). */
const encoded = new Map<string, Uint8Array>();
function bytesOf(key: string): Uint8Array {
  let bytes = encoded.get(key);
  if (!bytes) {
    bytes = Buffer.from(key, 'utf8');
    if (encoded.size < 1000) encoded.set(key, bytes);
  }
  return bytes;
}

/** Set by skipString: whether the string just skipped holds escapes. */
let escapedString = false;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
const isHex = (c: number | undefined) => c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));

function skipSpace(b: Uint8Array, pos: number): number {
  const n = b.length;
  while (pos < n && isSpace(b[pos]!)) pos++;
  return pos;
}

/** From just after an opening quote: the index just after the closing one, or -1 (not JSON). */
function skipString(b: Uint8Array, pos: number): number {
  const n = b.length;
  escapedString = false;
  for (;;) {
    let c = 0;
    // The run of plain bytes (not a quote, a backslash or a control character) first.
    while (pos < n) {
      c = b[pos]!;
      if (c === QUOTE || c === BACKSLASH || c < 0x20) break;
      pos++;
    }
    if (pos >= n || c < 0x20) return -1;
    pos++;
    if (c === QUOTE) return pos;
    escapedString = true;
    const e = b[pos++];
    if (e === 0x75) {
      if (!(isHex(b[pos]) && isHex(b[pos + 1]) && isHex(b[pos + 2]) && isHex(b[pos + 3]))) return -1;
      pos += 4;
    } else if (!(e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74)) return -1;
  }
}

/** A number from its first byte: the index after it, or -1. */
function skipNumber(b: Uint8Array, pos: number): number {
  if (b[pos] === 0x2d) pos++;
  if (b[pos] === 0x30) pos++;
  else if (isDigit(b[pos])) while (isDigit(b[pos])) pos++;
  else return -1;
  if (b[pos] === 0x2e) {
    if (!isDigit(b[++pos])) return -1;
    while (isDigit(b[pos])) pos++;
  }
  if (b[pos] === 0x65 || b[pos] === 0x45) {
    pos++;
    if (b[pos] === 0x2b || b[pos] === 0x2d) pos++;
    if (!isDigit(b[pos])) return -1;
    while (isDigit(b[pos])) pos++;
  }
  return pos;
}

function skipLiteral(b: Uint8Array, pos: number, word: string): number {
  for (let j = 0; j < word.length; j++) if (b[pos + j] !== word.charCodeAt(j)) return -1;
  return pos + word.length;
}

/** A string's text (the bytes between its quotes, `start`..`end`), decoded as JSON.parse decodes it. */
function textOf(b: Uint8Array, start: number, end: number, escaped: boolean): string {
  const buffer = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length);
  // Escapes are rare: JSON.parse decodes them exactly (the string is known to be valid).
  return escaped ? (JSON.parse(buffer.toString('utf8', start - 1, end + 1)) as string) : buffer.toString('utf8', start, end);
}

/**
 * Which of the `live` paths (at `depth` keys down) continue through the key `start`..`end`,
 * dropping what they found under an earlier duplicate of it. Null: none.
 */
function follow(b: Uint8Array, paths: readonly (readonly string[])[], found: (ScannedValue | undefined)[], live: readonly number[], depth: number, start: number, end: number, escaped: boolean): number[] | null {
  let next: number[] | null = null;
  let key: string | undefined;
  for (const i of live) {
    const wanted = paths[i]![depth]!;
    let same: boolean;
    if (escaped) {
      key ??= textOf(b, start, end, true);
      same = key === wanted;
    } else if (end - start < wanted.length || end - start > 3 * wanted.length) {
      // UTF-8 takes one to three bytes per UTF-16 unit: a key of this many bytes is another.
      continue;
    } else {
      const bytes = bytesOf(wanted);
      same = bytes.length === end - start;
      for (let j = 0; same && j < bytes.length; j++) same = b[start + j] === bytes[j];
    }
    if (!same) continue;
    if (next === null) next = [i];
    else next.push(i);
    found[i] = undefined;
  }
  return next;
}

/**
 * `paths[i]`: object keys from the top-level object down (`['data', 'id']` is `payload.data.id`),
 * each at least one key; arrays are not looked into (an array at a path is `other`, a path
 * through one finds nothing).
 */
export function scanJson(b: Uint8Array, paths: readonly (readonly string[])[]): ScanResult {
  const found: (ScannedValue | undefined)[] = [];
  const all: number[] = [];
  for (let i = 0; i < paths.length; i++) {
    found.push(undefined);
    all.push(i);
  }
  /** Open containers, `open` of them (stacks by index): `objects[k]` true for an object, `lives[k]` the paths followed into container k (objects only). */
  const objects: boolean[] = [];
  const lives: (readonly number[] | null)[] = [];
  let open = 0;
  /** Paths the next value is on: ending at it, or going on into it. */
  let ending: number[] | null = null;
  let going: readonly number[] | null = all;
  let pos = skipSpace(b, 0);
  for (;;) {
    // A value.
    const c = b[pos];
    if (c === 0x7b || c === 0x5b) {
      if (ending) for (const i of ending) found[i] = OTHER;
      objects[open] = c === 0x7b;
      lives[open++] = c === 0x7b ? going : null;
      pos = skipSpace(b, pos + 1);
      if (b[pos] === (c === 0x7b ? 0x7d : 0x5d)) {
        open--;
        pos++;
      } else if (c === 0x7b) {
        pos = key(b, pos, paths, found, lives[open - 1]!, open - 1);
        if (pos < 0) return { json: false };
        ({ ending, going } = nextValue);
        continue;
      } else {
        ending = going = null;
        continue;
      }
    } else {
      const start = pos;
      pos = c === QUOTE ? skipString(b, pos + 1) : c === 0x2d || isDigit(c) ? skipNumber(b, pos) : c === 0x74 ? skipLiteral(b, pos, 'true') : c === 0x66 ? skipLiteral(b, pos, 'false') : c === 0x6e ? skipLiteral(b, pos, 'null') : -1;
      if (pos < 0) return { json: false };
      if (ending) give(found, ending, c === QUOTE ? { kind: 'string', value: textOf(b, start + 1, pos - 1, escapedString) } : c === 0x2d || isDigit(c) ? { kind: 'number', value: Number(textOf(b, start, pos, false)) } : OTHER);
    }
    // After a value: the end of the body, or what the open container wants next.
    for (;;) {
      pos = skipSpace(b, pos);
      if (open === 0) return pos === b.length ? { json: true, values: found } : { json: false };
      const inObject = objects[open - 1]!;
      const d = b[pos++];
      if (d === 0x2c) {
        pos = skipSpace(b, pos);
        if (inObject) {
          pos = key(b, pos, paths, found, lives[open - 1]!, open - 1);
          if (pos < 0) return { json: false };
          ({ ending, going } = nextValue);
        } else ending = going = null;
        break;
      }
      if (d !== (inObject ? 0x7d : 0x5d)) return { json: false };
      open--;
    }
  }
}

function give(found: (ScannedValue | undefined)[], paths: readonly number[], value: ScannedValue): void {
  for (const i of paths) found[i] = value;
}

/** Set by key(): the paths the value after the key is on. */
const nextValue: { ending: number[] | null; going: number[] | null } = { ending: null, going: null };

/** A key and its colon, in the innermost open object (`depth` keys down, `live` paths followed into it): the index of its value, or -1. */
function key(b: Uint8Array, pos: number, paths: readonly (readonly string[])[], found: (ScannedValue | undefined)[], live: readonly number[] | null, depth: number): number {
  if (b[pos] !== QUOTE) return -1;
  const start = pos + 1;
  pos = skipString(b, start);
  if (pos < 0) return -1;
  const next = live ? follow(b, paths, found, live, depth, start, pos - 1, escapedString) : null;
  // Loops, not filter(): each filter() call allocates a growable store of its own.
  nextValue.ending = null;
  nextValue.going = null;
  if (next !== null) {
    for (let k = 0; k < next.length; k++) {
      const i = next[k]!;
      if (paths[i]!.length === depth + 1) nextValue.ending = nextValue.ending === null ? [i] : [...nextValue.ending, i];
      else nextValue.going = nextValue.going === null ? [i] : [...nextValue.going, i];
    }
  }
  pos = skipSpace(b, pos);
  if (b[pos] !== 0x3a) return -1;
  return skipSpace(b, pos + 1);
}
