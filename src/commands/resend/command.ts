import type { Command } from '@commander-js/extra-typings';
import { collect, examples, SECRET_FILE_OPTION, type DefineInput, type OptionsOf } from '../options/flags.js';

function resendCommand(program: Command) {
  return program
    .command('resend <id>')
    .description('send a recorded delivery again: the same bytes and headers (re-signed only with --resign)')
    .option('-t, --to <url>', 'where to send it (default: where it was forwarded)')
    .option('--resign', 'sign again with a fresh timestamp/id (needs the secret)')
    .option('-s, --secret <secret>', "secret for --resign (default: the provider's env var; - reads one line from stdin)")
    .option(...SECRET_FILE_OPTION)
    .option('--set <path=value>', 'change a value in the body (typed as JSON when it parses); implies --resign (repeatable)', collect)
    .option('--data <file>', 'merge a JSON merge patch into the body; implies --resign')
    .option('--edit', 'edit the body in $EDITOR first; implies --resign')
    .option('--store <dir>', 'delivery log folder')
    .option('--json', 'one JSON object: event, provider, url, status, ok, durationMs, id')
    .addHelpText('after', examples(['webhook resend 9e85', 'webhook resend 9e85 --to http://localhost:4000/hooks', 'webhook resend 9e85 --set data.amount=1', 'EDITOR=vim webhook resend 9e85 --edit --json']));
}

/** What `webhook resend` parses its flags into (run.ts takes it as a type only). */
export type ResendOptions = OptionsOf<typeof resendCommand>;

export function defineResend(program: Command, { context, run }: DefineInput): void {
  resendCommand(program)
    .action((id, opts) => run(async () => (await import('./run.js')).runResend(id, opts, context())));
}
