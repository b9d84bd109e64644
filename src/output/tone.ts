import type { Style } from './terminal.js';

/**
 * What a piece of output means, not how it is drawn: plain lines paint a tone with chalk, the
 * Ink view with a colour name. One rule, so a 422 is the same colour in `listen`, `log`, the view
 * and `sandbox`.
 */
export type Tone = 'ok' | 'warn' | 'fail' | 'muted';

/** How an HTTP answer reads. */
export interface AnswerLike {
  /** The status that came back; undefined when none did (yet, or at all: see `error`). */
  readonly status?: number | undefined;
  /** Why no answer came (refused, reset, timed out): anything but undefined, false or ''. */
  readonly error?: unknown;
  /** Why it was not sent on purpose (filtered out): anything but undefined, false or ''. */
  readonly skipped?: unknown;
}

/** 2xx ok, 3xx and 4xx warn, 5xx fail; no answer is a failure, skipped or not yet answered is muted. */
export function statusTone(answer: AnswerLike): Tone {
  if (answer.skipped) return 'muted';
  if (answer.status === undefined) return answer.error ? 'fail' : 'muted';
  return answer.status < 300 ? 'ok' : answer.status < 500 ? 'warn' : 'fail';
}

/** The signature verdict: verified ok, failed fail, not checked warn. */
export function signatureTone(state: 'verified' | 'failed' | 'unknown'): Tone {
  return state === 'verified' ? 'ok' : state === 'failed' ? 'fail' : 'warn';
}

/** A tone on a plain line (nothing when colour is off). */
export function paintTone(style: Style, tone: Tone | undefined, text: string): string {
  switch (tone) {
    case 'ok':
      return style.green(text);
    case 'warn':
      return style.yellow(text);
    case 'fail':
      return style.red(text);
    case 'muted':
      return style.dim(text);
    default:
      return text;
  }
}

/** A tone as the Ink view's colour name. */
export function toneColor(tone: Tone | undefined): string | undefined {
  switch (tone) {
    case 'ok':
      return 'green';
    case 'warn':
      return 'yellow';
    case 'fail':
      return 'red';
    case 'muted':
      return 'gray';
    default:
      return undefined;
  }
}
