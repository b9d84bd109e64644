import type { Command } from '@commander-js/extra-typings';
import { examples, type DefineInput } from '../options/flags.js';

export function defineProviders(program: Command, { context, run }: DefineInput): void {
  program
    .command('providers')
    .description('list provider profiles: signing scheme, headers, event count')
    .option('--json', 'one JSON object per provider')
    .addHelpText('after', examples(['webhook providers', 'webhook providers --json | jq .name']))
    .action((opts) => run(async () => (await import('./run.js')).runProviders(opts, context())));
}
