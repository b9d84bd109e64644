import { perMillisecond } from '../clock.js';
import type { Style } from './terminal.js';
import { printable } from './printable.js';
import { paintTone, signatureTone, statusTone } from './tone.js';
import type { OutcomeRecord, RequestRecord } from '../store/types.js';

/** A timestamp's ISO text (listen writes one per delivery; deliveries in one millisecond share it). */
const isoTime = perMillisecond((ms) => new Date(ms).toISOString());

/** A timestamp as the time of day in UTC, as delivery lines show it (10:00:05). */
export const clockTime = (ms: number) => isoTime(ms).slice(11, 19);

/** The signature verdict as one mark: ✓ verified, ✗ failed, ? unknown. */
function signatureMark(state: RequestRecord['signature']['state'], style: Style): string {
  return paintTone(style, signatureTone(state), state === 'verified' ? '✓' : state === 'failed' ? '✗' : '?');
}

/** The app's status (what the provider was answered when the app did not), coloured by `statusTone`. */
function statusText(outcome: OutcomeRecord | undefined, style: Style): string {
  if (!outcome) return paintTone(style, statusTone({}), '...');
  const tone = statusTone({ status: outcome.status ?? outcome.answered, skipped: outcome.skipped });
  return paintTone(style, tone, outcome.skipped ? `${outcome.answered} skipped` : String(outcome.status ?? outcome.answered));
}

/** One line per delivery for plain output: time, event, signature, status, latency, target. */
export function deliveryLine(request: RequestRecord, outcome: OutcomeRecord | undefined, style: Style): string {
  const signature = request.signature.state === 'failed' ? `${signatureMark('failed', style)} ${request.signature.reason}` : `${signatureMark(request.signature.state, style)} ${request.signature.state}`;
  // Everything here but the verdict came with the delivery (or from the app): escaped.
  const source = request.source && request.source !== 'provider' ? style.dim(` [${request.source}${request.replayOf ? ` of ${printable(request.replayOf)}` : ''}]`) : '';
  const error = outcome?.error ? `  ${style.red(printable(outcome.error.message))}` : outcome?.skipped ? `  ${style.dim(printable(outcome.skipped))}` : '';
  const latency = outcome && !outcome.skipped ? `${Math.round(outcome.durationMs)} ms` : '';
  return `${clockTime(request.receivedAt)}  ${style.bold(printable(request.event ?? '(no event)'))}  ${signature}  ${statusText(outcome, style)} ${latency}  ${style.dim(printable(request.id))}${request.messageId ? style.dim(` (${printable(request.messageId)})`) : ''}${source}${error}`;
}

/**
 * The NDJSON object for a delivery. Fields a delivery lacks are undefined, which JSON leaves out
 * (one shape for every line: listen writes one per delivery).
 */
export function deliveryJson(request: RequestRecord, outcome: OutcomeRecord | undefined) {
  const failed = request.signature.state === 'failed' ? request.signature : undefined;
  return {
    type: 'delivery',
    id: request.id,
    messageId: request.messageId,
    receivedAt: isoTime(request.receivedAt),
    provider: request.provider,
    event: request.event ?? null,
    signature: request.signature.state,
    reason: failed?.reason,
    source: request.source ?? 'provider',
    replayOf: request.replayOf || undefined,
    bodySize: request.bodySize,
    target: outcome?.target ?? null,
    status: outcome?.status ?? null,
    answered: outcome?.answered ?? null,
    durationMs: outcome?.durationMs ?? null,
    error: outcome?.error?.message,
    skipped: outcome?.skipped || undefined,
  };
}
