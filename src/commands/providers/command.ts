import type { Command } from '@commander-js/extra-typings';
import { examples, type DefineInput, type OptionsOf } from '../options/flags.js';

function providersCommand(program: Command) {
  return program
    .command('providers')
    .description('list provider profiles: signing scheme, headers, event count')
    .option('--json', 'one JSON object per provider')
    .addHelpText('after', examples(['webhook providers', 'webhook providers --json | jq .name']));
}

/** What `webhook providers` parses its flags into (run.ts takes it as a type only). */
export type ProvidersOptions = OptionsOf<typeof providersCommand>;

export function defineProviders(program: Command, { context, run }: DefineInput): void {
  providersCommand(program)
    .action((opts) => run(async () => (await import('./run.js')).runProviders(opts, context())));
}
