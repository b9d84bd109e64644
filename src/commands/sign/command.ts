import type { Command } from '@commander-js/extra-typings';
import { examples, intArg, SECRET_FILE_OPTION, type DefineInput, type OptionsOf } from '../options/flags.js';

function signCommand(program: Command) {
  return program
    .command('sign')
    .description('print the headers a provider would send with exactly these body bytes')
    .option('-p, --provider <name>', 'provider profile (see `webhook providers`)')
    .option('-s, --secret <secret>', "signing secret (default: the provider's env var; - reads one line from stdin)")
    .option(...SECRET_FILE_OPTION)
    .option('-b, --body <text>', 'body to sign, as given')
    .option('--body-file <path>', 'read the body bytes from a file (- for stdin)')
    .option('--id <id>', 'message id, for schemes that sign one (default: fresh)')
    .option('--timestamp <unix>', 'unix seconds, for timestamped schemes (default: now)', intArg('--timestamp'))
    .option('--event <type>', 'event type, for providers that send it in a header (github)')
    .option('--url <url>', 'the URL the request is sent to, for schemes that sign it (square, hubspot, twilio)')
    .option('--method <method>', 'the request method, for schemes that sign it (hubspot; default POST)')
    .option('--json', 'print one JSON object')
    .addHelpText(
      'after',
      examples([
        `webhook sign --provider paystack --secret sk_test_xxx --body '{"event":"charge.success"}'`,
        'webhook sign --provider koard --body-file event.json --json',
        'webhook sign --provider koard --secret-file koard.key --body-file event.json',
        'cat event.json | webhook sign --provider paykore --body-file -',
        'webhook sign --provider square --url https://example.com/webhooks --body-file event.json',
        `webhook sign -p twilio --url https://example.com/sms --body 'MessageSid=SM1&MessageStatus=delivered'`,
      ]),
    );
}

/** What `webhook sign` parses its flags into (run.ts takes it as a type only). */
export type SignOptions = OptionsOf<typeof signCommand>;

export function defineSign(program: Command, { context, run }: DefineInput): void {
  signCommand(program)
    .action((opts) => run(async () => (await import('./run.js')).runSign(opts, context())));
}
