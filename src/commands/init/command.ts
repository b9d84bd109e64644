import type { Command } from '@commander-js/extra-typings';
import { examples, type DefineInput, type OptionsOf } from '../options/flags.js';

function initCommand(program: Command) {
  return program
    .command('init')
    .description('write a commented webhook.config.yaml and an example fixture folder')
    .option('-p, --provider <name>', 'default provider for the project (see `webhook providers`)', 'paystack')
    .option('--forward-to <url>', 'your app’s webhook URL', 'http://localhost:3000/webhooks')
    .option('--force', 'overwrite files that already exist')
    .option('--json', 'print what was written as JSON')
    .addHelpText('after', examples(['webhook init', 'webhook init --provider koard --forward-to http://localhost:8080/hooks/koard']));
}

/** What `webhook init` parses its flags into (run.ts takes it as a type only). */
export type InitOptions = OptionsOf<typeof initCommand>;

export function defineInit(program: Command, { context, run }: DefineInput): void {
  initCommand(program)
    .action((opts) => run(async () => (await import('./run.js')).runInit(opts, context())));
}
