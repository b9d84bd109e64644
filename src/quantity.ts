/**
 * How amounts read in human output: "1 event" / "3 events", "3 years", "1 MiB". One place, so
 * every message agrees. `--json` keeps raw numbers; these are for people.
 */

const plurals = new Intl.PluralRules('en');

/** The word for `n` of a thing: "event" for 1, "events" otherwise; `plural` for irregular words. */
export function noun(n: number, singular: string, plural = `${singular}s`): string {
  return plurals.select(n) === 'one' ? singular : plural;
}

/** "1 event", "0 events", "24 events"; `plural` for irregular words ("1 delivery", "2 deliveries"). */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${noun(n, singular, plural)}`;
}

const UNITS: readonly { unit: Intl.NumberFormatOptions['unit']; seconds: number; short: string }[] = [
  { unit: 'year', seconds: 365.25 * 86_400, short: 'years' },
  { unit: 'month', seconds: (365.25 / 12) * 86_400, short: 'months' },
  { unit: 'day', seconds: 86_400, short: 'days' },
  { unit: 'hour', seconds: 3_600, short: 'h' },
  { unit: 'minute', seconds: 60, short: 'min' },
  { unit: 'second', seconds: 1, short: 's' },
];

/**
 * A span of time in its largest whole unit: 95645936 → "3 years", 45 → "45 s". Under a day, a
 * small count keeps the next unit so a limit and a value just over it never read the same:
 * 301 → "5 min 1 s", 400 → "6 min 40 s", 7200 → "2 h".
 */
export function humanDuration(seconds: number): string {
  const abs = Math.floor(Math.abs(seconds));
  const i = UNITS.findIndex((u) => abs >= u.seconds);
  if (i < 0) return '0 s';
  const { seconds: size, short, unit } = UNITS[i]!;
  const n = Math.floor(abs / size);
  if (size >= 86_400) return new Intl.NumberFormat('en', { style: 'unit', unit: unit!, unitDisplay: 'long' }).format(n);
  const next = UNITS[i + 1];
  const rest = next ? Math.floor((abs - n * size) / next.seconds) : 0;
  return n < 10 && rest > 0 ? `${n} ${short} ${rest} ${next!.short}` : `${n} ${short}`;
}

const BYTE_UNITS = ['bytes', 'KiB', 'MiB', 'GiB'] as const;

/** Bytes in binary units, one decimal when under 10: 52428800 → "50 MiB", 1536 → "1.5 KiB", 1 → "1 byte". */
export function humanBytes(bytes: number): string {
  if (bytes < 1024) return countOf(bytes, 'byte');
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < BYTE_UNITS.length - 1) {
    value /= 1024;
    i++;
  }
  const shown = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  return `${shown} ${BYTE_UNITS[i]}`;
}
