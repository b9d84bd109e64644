
/** Streams and environment the CLI runs in; tests pass their own. */
export interface Streams {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** The abort reason of a run whose output nobody reads any more (a closed pipe, `| head -1`): it ends quietly, exit 0. */
export class OutputClosed extends Error {
  constructor() {
    super('output closed: nobody reads it any more');
    this.name = 'OutputClosed';
  }
}

/** How to draw output, decided once at start-up. */
export interface TerminalMode {
  /** Colour on stdout: a TTY, NO_COLOR unset (FORCE_COLOR forces it on). */
  readonly color: boolean;
  /** Live keyboard UI allowed: stdin and stdout are TTYs and CI is not set. */
  readonly interactive: boolean;
}

/** Decide colour and interactivity from TTYs, CI, NO_COLOR and FORCE_COLOR (no-color.org). */
export function detectTerminal(env: NodeJS.ProcessEnv, streams: Streams, flags: { color?: boolean } = {}): TerminalMode {
  const stdoutTTY = streams.stdout.isTTY === true;
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  const force = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  let color = force || (stdoutTTY && !noColor && env.TERM !== 'dumb');
  if (noColor || flags.color === false) color = false;
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI !== 'false';
  // Asked of stdin only when a command wants to know: looking sets stdin up, which costs start-up.
  let interactive: boolean | undefined;
  return {
    color,
    get interactive() {
      interactive ??= stdoutTTY && !ci && env.TERM !== 'dumb' && streams.stdin.isTTY === true;
      return interactive;
    },
  };
}

/** The colours output is drawn with; with colour off each returns its text unchanged. */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const same = (text: string) => text;
const PLAIN: Style = { bold: same, dim: same, red: same, green: same, yellow: same, cyan: same };

let chalk: typeof import('chalk') | undefined;

/** Load chalk, for a run that draws in colour (start-up does not load it otherwise). */
export async function loadColours(): Promise<void> {
  chalk ??= await import('chalk');
}

/** The style for the terminal mode: chalk's 16 colours (loadColours() first), or plain text. */
export function paint(mode: Pick<TerminalMode, 'color'>): Style {
  if (!mode.color) return PLAIN;
  if (!chalk) throw new Error('paint: colours are not loaded (await loadColours() first)');
  return new chalk.Chalk({ level: 1 });
}
