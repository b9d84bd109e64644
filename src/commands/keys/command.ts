import type { Command } from '@commander-js/extra-typings';
import { examples, type DefineInput, type OptionsOf } from '../options/flags.js';

function keysCommand(program: Command) {
  return program
    .command('keys')
    .description('print the public key of a provider’s test key pair (discord, sendgrid): configure your app with it')
    .argument('[provider]', 'a provider that signs with a private key (default: config "provider")')
    .option('--json', 'one JSON object: provider, publicKey, format, privateKeyFile')
    .addHelpText(
      'after',
      `
The key pair is made on first use and kept in the keys folder ($WEBHOOK_STORE/keys, else the
state dir), private key mode 0600. sign, trigger, replay, check and listen sign with it unless
--secret or the provider's env var gives a private key.
${examples(['webhook keys discord            # hex public key: DISCORD_PUBLIC_KEY=$(webhook keys discord)', 'webhook keys sendgrid --json'])}`,
    );
}

/** What `webhook keys` parses its flags into (run.ts takes it as a type only). */
export type KeysOptions = OptionsOf<typeof keysCommand>;

export function defineKeys(program: Command, { context, run }: DefineInput): void {
  keysCommand(program)
    .action((provider, opts) => run(async () => (await import('./run.js')).runKeys(provider, opts, context())));
}
