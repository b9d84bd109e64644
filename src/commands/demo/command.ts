import type { Command } from '@commander-js/extra-typings';
import { examples, type DefineInput, type OptionsOf } from '../options/flags.js';

function demoCommand(program: Command) {
  return program
    .command('demo')
    .description('see everything work offline: a local app, the PayKore sandbox and listen sessions, with deliveries from each provider')
    .option('--store <dir>', 'keep the demo’s delivery log here (default: a new temporary folder)')
    .option('--json', 'NDJSON: ready, one line per delivery, then a summary')
    .addHelpText('after', examples(['webhook demo', 'webhook demo --json', 'CI=1 webhook demo   # plain lines, exits when done']));
}

/** What `webhook demo` parses its flags into (run.ts takes it as a type only). */
export type DemoCommandOptions = OptionsOf<typeof demoCommand>;

export function defineDemo(program: Command, { context, run }: DefineInput): void {
  demoCommand(program)
    .action((opts) => run(async () => (await import('./run.js')).runDemo(opts, context())));
}
