import type { Command } from '@commander-js/extra-typings';
import { collect, examples, intArg, SECRET_FILE_OPTION, type DefineInput, type OptionsOf } from '../options/flags.js';

function verifyCommand(program: Command) {
  return program
    .command('verify')
    .description('check a signature over exactly these body bytes (exit 0 valid, 1 invalid)')
    .option('-p, --provider <name>', 'provider profile (see `webhook providers`)')
    .option('-s, --secret <secret>', "signing secret (default: the provider's env var; - reads one line from stdin)")
    .option(...SECRET_FILE_OPTION)
    .option('-b, --body <text>', 'body that was received, as given')
    .option('--body-file <path>', 'read the body bytes from a file (- for stdin)')
    .option('-H, --header <"name: value">', 'a received header (repeatable)', collect)
    .option('--tolerance <seconds>', 'allowed clock difference for timestamped schemes (default 300)', intArg('--tolerance'))
    .option('--now <unix>', 'check timestamps against this time instead of now', intArg('--now'))
    .option('--url <url>', 'the URL the request was sent to, for schemes that sign it (square, hubspot, twilio)')
    .option('--method <method>', 'the request method, for schemes that sign it (hubspot; default POST)')
    .option('--json', 'print one JSON object')
    .addHelpText(
      'after',
      examples([
        `webhook verify --provider paystack --body-file body.json -H "x-paystack-signature: 5d41..."`,
        `webhook verify --provider koard --body-file body.json -H "svix-id: msg_1" -H "svix-timestamp: 1700000000" -H "svix-signature: v1,K5o..."`,
      ]),
    );
}

/** What `webhook verify` parses its flags into (run.ts takes it as a type only). */
export type VerifyOptions = OptionsOf<typeof verifyCommand>;

export function defineVerify(program: Command, { context, run }: DefineInput): void {
  verifyCommand(program)
    .action((opts) => run(async () => (await import('./run.js')).runVerify(opts, context())));
}
