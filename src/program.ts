import { once, setMaxListeners } from 'node:events';
import { printable } from './output/printable.js';
import { Command, CommanderError } from '@commander-js/extra-typings';
import { systemClock } from './clock.js';
import { packageVersion } from './package-root.js';
import { createContext, type CliContext } from './context.js';
import { errorCode, ExitCode, WebhookError } from './errors.js';
import { detectTerminal, loadColours, paint, OutputClosed, type Streams, type TerminalMode } from './output/terminal.js';
import type { DefineInput } from './commands/options/flags.js';

export interface MainOverrides {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  streams?: Streams;
}

/** Adds one command to the program (src/commands/<name>/command.ts). */
export type Define = (program: Command, input: DefineInput) => void;

/** Command name → its definition, loaded on demand; the key order is the order help lists them. */
export type CommandTable = Readonly<Record<string, () => Promise<Define>>>;

/** The program's own options that take a value (the next argument is not a command name). */
const GLOBAL_VALUE_OPTIONS = new Set(['-c', '--config']);
const GLOBAL_FLAGS = new Set(['--debug', '--no-color']);

/**
 * The definitions a run needs: the invoked command's alone when the arguments name one before
 * anything else (global options aside); all of them otherwise (help, `help <command>`, an unknown
 * command's suggestion, completion, which lists every command).
 */
async function definitionsFor(argv: readonly string[], commands: CommandTable): Promise<Define[]> {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (GLOBAL_VALUE_OPTIONS.has(arg)) i++;
    else if (GLOBAL_FLAGS.has(arg) || arg.startsWith('--config=') || (arg.startsWith('-c') && !arg.startsWith('--'))) continue;
    else {
      const load = Object.hasOwn(commands, arg) && arg !== 'completion' ? commands[arg] : undefined;
      if (load) return [await load()];
      break;
    }
  }
  return Promise.all(Object.values(commands).map((load) => load()));
}

/** Render any error in one place: one line and a hint; the stack only with --debug. */
export function renderError(error: unknown, streams: Streams, options: { debug: boolean; color: boolean; json: boolean }): number {
  const style = paint({ color: options.color });
  if (error instanceof WebhookError) {
    // Messages may quote input (an event name, a file's content, a provider's answer): escaped.
    streams.stderr.write(`${style.red('error:')} ${printable(error.message)}\n`);
    if (error.hint) streams.stderr.write(`${style.dim('hint:')} ${printable(error.hint)}\n`);
    if (options.json) streams.stdout.write(`${JSON.stringify({ type: 'error', message: error.message, hint: error.hint, exitCode: error.exitCode })}\n`);
    if (options.debug && error.stack) streams.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  streams.stderr.write(`${style.red('error:')} unexpected failure: ${printable(message)}\n`);
  streams.stderr.write(options.debug && error instanceof Error && error.stack ? `${error.stack}\n` : `${style.dim('hint:')} rerun with --debug for details; if it persists, please report it\n`);
  if (options.json) streams.stdout.write(`${JSON.stringify({ type: 'error', message, exitCode: ExitCode.failed })}\n`);
  return ExitCode.failed;
}

/** Whether a write failed because nobody reads the stream any more (`webhook log | head -1`). */
function isClosedPipe(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

/**
 * The process's own streams. stdin and stderr are made on first use: setting one up costs
 * start-up (stderr is most often a pipe or a terminal, a socket to make), most commands never
 * read stdin, and a run that goes well mostly writes nothing to stderr. Everything here writes
 * to stderr through these streams, so `onError` (a closed pipe) is on stderr before any write.
 */
function processStreams(onError: (error: unknown) => void): Streams {
  let stderr: NodeJS.WriteStream | undefined;
  return {
    stdout: process.stdout,
    get stderr() {
      if (!stderr) {
        stderr = process.stderr;
        // Kept after main returns, as on stdout.
        stderr.on('error', onError);
      }
      return stderr;
    },
    get stdin() {
      return process.stdin;
    },
  };
}

/** The program without its commands: global options, help text and where output goes. */
function newProgram(streams: Streams, mode: TerminalMode) {
  return new Command('webhook')
    .description('Build and test payment webhooks: sign, verify, trigger, replay, listen, check.')
    .version(packageVersion(), '-v, --version')
    .option('--debug', 'show stack traces for errors')
    .option('--no-color', 'disable colours (also: NO_COLOR=1)')
    .option('-c, --config <path>', 'config file (default: nearest webhook.config.* / .webhookrc / package.json#webhook)')
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  $ webhook demo                                        # everything, offline, in one command
  $ webhook listen -p paystack -f http://localhost:3000/webhooks
  $ webhook trigger charge.success                      # into the running listen
  $ webhook replay --provider paystack --to http://localhost:3000/webhooks --junit reports/webhooks.xml
  $ webhook check --to http://localhost:3000/webhooks -p paystack
  $ npm i -D webhook-cli                                # in a project (then npx webhook …); -g for everywhere

Exit codes: 0 ok, 1 a delivery/verification/check failed, 2 bad usage or input, 130 interrupted.
Secrets come from each provider's environment variable (see \`webhook providers\`), --secret-file <path>,
--secret - (one line from stdin) or --secret (visible to other users in ps).
`,
    )
    .exitOverride()
    .configureOutput({
      writeOut: (s) => streams.stdout.write(s),
      writeErr: (s) => streams.stderr.write(s),
      // Help wraps to the width of the stream it goes to when that is a terminal, else to 80
      // (commander's rule, applied to these streams so the build can render it: dist/bundle/help.txt).
      getOutHelpWidth: () => (streams.stdout.isTTY ? streams.stdout.columns : undefined) ?? 80,
      getErrHelpWidth: () => (streams.stderr.isTTY ? streams.stderr.columns : undefined) ?? 80,
      outputError: (s, write) => write(paint({ color: mode.color && streams.stderr.isTTY === true }).red(s)),
    });
}

/**
 * Run the CLI with argv; resolves to the exit code. With the process's own streams it also owns
 * the process's signals and output pipes:
 * - the first SIGINT/SIGTERM aborts the run's signal (commands stop, clean up, report and return
 *   130); a second one exits at once with 130 (one of the two process.exit calls in the code,
 *   with endDespiteStalledOutput);
 * - output into a closed pipe (`| head -1`) aborts the run too, and it ends quietly with exit 0,
 *   as any command whose reader went away.
 */
export async function runProgram(argv: readonly string[], commands: CommandTable, overrides: MainOverrides = {}): Promise<number> {
  const env = overrides.env ?? process.env;
  const abort = new AbortController();
  // Every request of a run listens to this one signal (replay sends hundreds at once).
  setMaxListeners(0, abort.signal);
  let interrupts = 0;
  const onSignal = () => {
    if (++interrupts > 1) process.exit(ExitCode.interrupted);
    abort.abort();
  };
  let outputClosed = false;
  const onOutputError = (error: unknown) => {
    if (!isClosedPipe(error)) throw error;
    outputClosed = true;
    abort.abort(new OutputClosed());
  };
  const overridesGiven = overrides.streams !== undefined;
  const streams: Streams = overrides.streams ?? processStreams(onOutputError);
  if (!overridesGiven) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // Kept after main returns: the error of a last write into a closed pipe comes a tick later.
    process.stdout.on('error', onOutputError);
  }
  const debug = argv.includes('--debug');
  const json = argv.includes('--json');
  const mode = detectTerminal(env, streams, { color: argv.includes('--no-color') ? false : undefined });
  if (mode.color) await loadColours();

  let exitCode: number = ExitCode.ok;
  let context: CliContext | undefined;
  const program = newProgram(streams, mode);

  const input: DefineInput = {
    context: () =>
      (context ??= createContext({
        cwd: overrides.cwd ?? process.cwd(),
        env,
        streams,
        mode,
        clock: systemClock,
        debug,
        signal: abort.signal,
        configPath: program.opts().config,
      })),
    run: async (load) => {
      exitCode = await load();
    },
  };
  for (const define of await definitionsFor(argv, commands)) define(program, input);
  for (const cmd of program.commands) cmd.exitOverride().showHelpAfterError(`(run 'webhook ${cmd.name()} --help' for usage)`);

  const run = async (): Promise<number> => {
    try {
      await program.parseAsync(argv as string[]);
      return exitCode;
    } catch (error) {
      if (error instanceof CommanderError) {
        return ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code) ? ExitCode.ok : ExitCode.usage;
      }
      return renderError(error, streams, { debug, color: mode.color && streams.stderr.isTTY === true, json });
    }
  };
  try {
    const code = await run();
    const result = outputClosed ? ExitCode.ok : code;
    if (!overridesGiven && interrupts > 0) await endDespiteStalledOutput(process.stdout, result);
    return result;
  } finally {
    if (!overridesGiven) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}

/** How long output queued for a reader that stopped reading may hold up the end of an interrupted run. */
const STALLED_OUTPUT_GRACE_MS = 1000;

/**
 * After an interrupt, once the command has cleaned up: output still queued for a reader that
 * stopped reading (`| less` at a page, a paused consumer) gets a moment to drain; if it does not,
 * the process exits with `code` and that output is dropped (stdout cannot be closed, and waiting
 * would keep the process alive until that reader reads: the stop asked for would need a second
 * signal). Every delivery it would have shown is in the log. Uninterrupted runs never drop
 * output: a slow reader gets all of it.
 */
async function endDespiteStalledOutput(stdout: NodeJS.WriteStream, code: number): Promise<void> {
  if (stdout.writableLength === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([once(stdout, 'drain'), new Promise((resolve) => (timer = setTimeout(resolve, STALLED_OUTPUT_GRACE_MS)))]).catch(() => {});
  clearTimeout(timer);
  if (stdout.writableLength > 0) process.exit(code);
}
