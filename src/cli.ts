import { runProgram, type CommandTable, type MainOverrides } from './program.js';

export { renderError, type MainOverrides } from './program.js';

/**
 * Every command, in the order help lists them: its name and how to load its definition. A run
 * loads only the definition of the command it invokes (its behaviour, in run.ts, loads when it
 * runs); help for the program, an unknown command and completion load them all.
 */
const COMMANDS: CommandTable = {
  demo: async () => (await import('./commands/demo/command.js')).defineDemo,
  sign: async () => (await import('./commands/sign/command.js')).defineSign,
  verify: async () => (await import('./commands/verify/command.js')).defineVerify,
  providers: async () => (await import('./commands/providers/command.js')).defineProviders,
  init: async () => (await import('./commands/init/command.js')).defineInit,
  completion: async () => (await import('./commands/completion/command.js')).defineCompletion,
  fixtures: async () => (await import('./commands/fixtures/command.js')).defineFixtures,
  trigger: async () => (await import('./commands/trigger/command.js')).defineTrigger,
  replay: async () => (await import('./commands/replay/command.js')).defineReplay,
  sandbox: async () => (await import('./commands/sandbox/command.js')).defineSandbox,
  listen: async () => (await import('./commands/listen/command.js')).defineListen,
  log: async () => (await import('./commands/log/command.js')).defineLog,
  resend: async () => (await import('./commands/resend/command.js')).defineResend,
  check: async () => (await import('./commands/check/command.js')).defineCheck,
  endpoints: async () => (await import('./commands/endpoints/command.js')).defineEndpoints,
  trust: async () => (await import('./commands/trust/command.js')).defineTrust,
  keys: async () => (await import('./commands/keys/command.js')).defineKeys,
};

/**
 * Run the CLI with argv; resolves to the exit code (see runProgram). The build also makes one
 * bundle per command, whose table holds that command alone (scripts/bundle.mjs).
 */
export function main(argv: readonly string[], overrides: MainOverrides = {}): Promise<number> {
  return runProgram(argv, COMMANDS, overrides);
}
