import type { Command } from '@commander-js/extra-typings';
import { examples, type DefineInput, type OptionsOf } from '../options/flags.js';

function trustCommand(program: Command) {
  return program
    .command('trust')
    .description('trust a config file that is code or sends signed bodies or API keys off this machine (remembered until it changes)')
    .argument('[file]', 'the config file (default: the one found from here, as every command finds it)')
    .option('--list', 'list the trusted config files')
    .option('--revoke', 'forget the trust given to the file')
    .option('--json', 'one JSON object per line')
    .addHelpText(
      'after',
      `
A config in a project you cloned is someone else's input. When it is JavaScript (it would run on
every command) or would send signed bodies or API keys to a host other than this machine
(forwardTo, listen.routes, providers.*.apiBase), every command refuses it until you read it and
run \`webhook trust\`. The trust is kept per path and content: any change asks again.
${examples(['webhook trust', 'webhook trust ./webhook.config.json', 'webhook trust --list', 'webhook trust --revoke'])}`,
    );
}

/** What `webhook trust` parses its flags into (run.ts takes it as a type only). */
export type TrustOptions = OptionsOf<typeof trustCommand>;

export function defineTrust(program: Command, { context, run }: DefineInput): void {
  trustCommand(program)
    .action((file, opts) => run(async () => (await import('./run.js')).runTrust(file, opts, context())));
}
