import type { Style } from './terminal.js';
import { countOf } from '../quantity.js';
import type { DeliverySummary } from '../store/feed.js';
import type { Delivery, RequestRecord } from '../store/types.js';
import { clockTime } from './delivery-line.js';
import { printable } from './printable.js';
import { paintTone, signatureTone, statusTone, type Tone } from './tone.js';

/** One line of a described delivery: the words, what they mean (drawn as colour), and whether it heads a section. */
export interface DescribedLine {
  readonly text: string;
  readonly tone?: Tone;
  readonly heading?: boolean;
}

/** A replay or resend of the delivery, as listed under it. */
export type ReplayRow = Pick<DeliverySummary, 'id' | 'receivedAt' | 'source' | 'status' | 'answered'>;

export interface DescribeOptions {
  /** How to see the body's exact bytes, said in the body's heading (the view: "c: raw bytes"). */
  readonly rawHint?: string;
}

/** The body for reading: pretty JSON when it parses, else the text as received. */
function readableBody(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

const headerLines = (headers: Readonly<Record<string, string | readonly string[]>>): DescribedLine[] =>
  Object.entries(headers).map(([name, value]) => ({ text: `  ${name}: ${typeof value === 'string' ? value : value.join(', ')}` }));

const indented = (text: string): DescribedLine[] =>
  text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => ({ text: `  ${line}` }));

function signatureLine(signature: RequestRecord['signature']): DescribedLine {
  const tone = signatureTone(signature.state);
  if (signature.state === 'verified') return { text: '✓ signature verified', tone };
  if (signature.state === 'failed') return { text: `✗ signature failed: ${signature.reason} (${signature.detail})`, tone };
  return { text: `? signature not checked: ${signature.detail}`, tone };
}

function responseLines({ outcome }: Delivery): DescribedLine[] {
  if (!outcome) return [{ text: 'Response  none yet (the app has not answered, or the session stopped before it did)', tone: 'warn', heading: true }];
  const lines: DescribedLine[] = [
    { text: `Response  ${outcome.status ?? '---'} (answered ${outcome.answered})  ${outcome.durationMs} ms  → ${outcome.target}`, tone: statusTone({ status: outcome.status ?? outcome.answered, skipped: outcome.skipped }), heading: true },
  ];
  if (outcome.error) lines.push({ text: `  ${outcome.error.message}`, tone: 'fail' });
  if (outcome.skipped) lines.push({ text: `  ${outcome.skipped}`, tone: 'muted' });
  lines.push(...headerLines(outcome.headers ?? {}));
  // An excerpt (it may be cut short): as the app wrote it.
  if (outcome.bodyExcerptBase64) lines.push(...indented(Buffer.from(outcome.bodyExcerptBase64, 'base64').toString('utf8')));
  return lines;
}

/**
 * One delivery for a person, as `log show` prints it and the view's details screen draws it: what
 * it is, the signature verdict, the app's answer (first, so it is on the first screen), its
 * replays, then the request as received. Every line is escaped for the terminal: all of it came
 * from outside (the sender, the app, the log file).
 */
export function describeDelivery(delivery: Delivery, replays: readonly ReplayRow[] = [], options: DescribeOptions = {}): DescribedLine[] {
  const { request } = delivery;
  const source = request.source && request.source !== 'provider' ? `  [${request.source}${request.replayOf ? ` of ${request.replayOf}` : ''}]` : '';
  const lines: DescribedLine[] = [
    { text: `${request.event ?? '(no event)'}  ${request.id}${request.messageId ? `  (${request.messageId})` : ''}  ${new Date(request.receivedAt).toISOString()}  ${request.provider}${source}`, heading: true },
    signatureLine(request.signature),
    { text: '' },
    ...responseLines(delivery),
  ];
  if (replays.length > 0) {
    lines.push({ text: '' }, { text: 'Replays', heading: true });
    for (const r of replays) lines.push({ text: `  ${clockTime(r.receivedAt)} ${r.id} ${r.source} → ${r.status ?? r.answered ?? '...'}`, tone: statusTone({ status: r.status ?? r.answered }) });
  }
  lines.push({ text: '' }, { text: `Request  ${request.method} ${request.path}  ${countOf(request.bodySize, 'byte')}`, heading: true });
  lines.push(...headerLines(request.headers));
  lines.push({ text: '' }, { text: `Body${options.rawHint ? ` (${options.rawHint})` : ''}`, heading: true });
  lines.push(...indented(readableBody(Buffer.from(request.bodyBase64, 'base64'))));
  return lines.map((line) => ({ ...line, text: printable(line.text) }));
}

/** The request body as received, line by line (the view's raw screen), its control characters escaped all the same. */
export function rawBodyLines(delivery: Delivery): DescribedLine[] {
  return Buffer.from(delivery.request.bodyBase64, 'base64')
    .toString('utf8')
    .split('\n')
    .map((line) => ({ text: printable(line) }));
}

/** A described line as plain text: its tone as colour, a heading in bold. */
export function plainDescribedLine(style: Style, line: DescribedLine): string {
  const text = paintTone(style, line.tone, line.text);
  return line.heading ? style.bold(text) : text;
}
