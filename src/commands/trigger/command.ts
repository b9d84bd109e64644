import type { Command } from '@commander-js/extra-typings';
import { collect, examples, intArg, SECRET_FILE_OPTION, type DefineInput, type OptionsOf } from '../options/flags.js';

function triggerCommand(program: Command) {
  return program
    .command('trigger <event>')
    .description('send one event as its provider would: signed, to your app or through a running `listen`')
    .option('-p, --provider <name>', 'provider (default: config, a running listen session, else the only provider with this event)')
    .option('-t, --to <url>', 'your endpoint; Square, HubSpot and Twilio sign this exact URL (default: the running listen session, else config forwardTo)')
    .option('-s, --secret <secret>', "signing secret (default: the provider's env var; - reads one line from stdin)")
    .option(...SECRET_FILE_OPTION)
    .option('--fixtures <dir>', 'a fixtures folder (<dir>/<provider>/<event>.json), searched first (repeatable)', collect)
    .option('--set <path=value>', 'set a value in the body, typed as JSON when it parses (repeatable)', collect)
    .option('--data <file>', 'merge a JSON merge patch into the body')
    .option('--body-file <file>', "send this file's bytes verbatim instead of a fixture (any event name then: it is only a label)")
    .option('-n, --count <n>', 'send it n times (fresh ids each time unless --duplicate)', intArg('--count', 1))
    .option('--duplicate', 'resend the same body with the same message id (idempotency test; default count 2)')
    .option('--from-ip <addr>', 'send X-Forwarded-For: <addr> to test an IP allow-list ("provider": its documented addresses in turn)')
    .option('--store <dir>', 'where the listen session runs from (default: $WEBHOOK_STORE, config store, the state dir)')
    .option('--json', 'one JSON object per delivery: event, provider, url, status, ok, durationMs, id')
    .addHelpText(
      'after',
      examples([
        'webhook trigger charge.success --provider paystack --to http://localhost:3000/hooks --secret sk_test_x',
        'webhook trigger charge.success --set data.amount=5000 --set data.customer.email=a@b.co',
        'webhook trigger transaction.created -p koard --duplicate --json',
      ]),
    );
}

/** What `webhook trigger` parses its flags into (run.ts takes it as a type only). */
export type TriggerOptions = OptionsOf<typeof triggerCommand>;

export function defineTrigger(program: Command, { context, run }: DefineInput): void {
  triggerCommand(program)
    .action((event, opts) => run(async () => (await import('./run.js')).runTrigger(event, opts, context())));
}
