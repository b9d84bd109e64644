import type { Clock } from './clock.js';
import type { LoadedConfig } from './config/load.js';
import { createSink, type OutputSink } from './output/sink.js';
import type { Streams, TerminalMode } from './output/terminal.js';

/** Everything a command needs from the outside world, decided once by the entry point. */
export interface CliContext {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly streams: Streams;
  readonly mode: TerminalMode;
  readonly clock: Clock;
  readonly debug: boolean;
  /** Aborted on SIGINT/SIGTERM (long-running commands clean up and return 130), or when the reader of stdout went away. */
  readonly signal: AbortSignal;
  /** The validated config (memoized; loads cosmiconfig lazily). */
  config(): Promise<LoadedConfig>;
  /** Output for one command: plain lines, or NDJSON with json. */
  sink(options: { json?: boolean | undefined; batch?: boolean }): OutputSink;
}

export interface ContextInput {
  cwd: string;
  env: NodeJS.ProcessEnv;
  streams: Streams;
  mode: TerminalMode;
  clock: Clock;
  debug: boolean;
  signal: AbortSignal;
  configPath?: string | undefined;
}

export function createContext(input: ContextInput): CliContext {
  let loaded: Promise<LoadedConfig> | undefined;
  return {
    ...input,
    config() {
      loaded ??= (async () => {
        // Cheap search first: cosmiconfig and zod load only when a config file exists.
        const { findConfigFile } = await import('./config/find.js');
        if (!input.configPath && !findConfigFile(input.cwd)) return { config: {}, filepath: undefined };
        const [{ loadConfig }, { trustStore }] = await Promise.all([import('./config/load.js'), import('./config/trust.js')]);
        return loadConfig(input.cwd, input.configPath, trustStore());
      })();
      return loaded;
    },
    sink(options) {
      return createSink(input.streams, input.mode, { json: options.json === true, batch: options.batch === true, signal: input.signal });
    },
  };
}
