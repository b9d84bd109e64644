import type { Command } from '@commander-js/extra-typings';
import { collect, examples, intArg, SECRET_FILE_OPTION, type DefineInput, type OptionsOf } from '../options/flags.js';

function checkCommand(program: Command) {
  return program
    .command('check')
    .description('prove a webhook handler is safe: valid, re-formatted, forged, tampered, stale, duplicate and unknown deliveries')
    .option('-t, --to <url>', 'your handler; Square, HubSpot and Twilio sign this exact URL (default: config forwardTo)')
    .option('-p, --provider <name>', 'provider profile (default: config provider)')
    .option('-s, --secret <secret>', "the secret your handler verifies with (default: the provider's env var; - reads one line from stdin)")
    .option(...SECRET_FILE_OPTION)
    .option('-e, --event <type>', 'event whose fixture is the valid body (default: the first in the catalog)')
    .option('--fixtures <dir>', 'a fixtures folder searched first (repeatable)', collect)
    .option('--timeout <ms>', "how long to wait for each answer (default: the provider's timeout)", intArg('--timeout', 1))
    .option('--from-ip <addr>', 'send X-Forwarded-For: <addr> with every case ("provider": its documented addresses in turn)')
    .option('--allowlist', 'the handler allow-lists addresses: add a case from a foreign address (the others come from --from-ip, default provider)')
    .option('--junit <file>', 'also write a JUnit XML report')
    .option('--json', 'one JSON object per case, then a summary')
    .addHelpText(
      'after',
      examples([
        'webhook check --to http://localhost:3000/webhooks --provider paystack --secret sk_test_xxx',
        'webhook check --to http://localhost:3000/hooks -p koard --event transaction.captured --junit reports/check.xml',
      ]),
    );
}

/** What `webhook check` parses its flags into (run.ts takes it as a type only). */
export type CheckOptions = OptionsOf<typeof checkCommand>;

export function defineCheck(program: Command, { context, run }: DefineInput): void {
  checkCommand(program)
    .action((opts) => run(async () => (await import('./run.js')).runCheck(opts, context())));
}
