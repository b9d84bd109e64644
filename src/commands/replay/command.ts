import type { Command } from '@commander-js/extra-typings';
import { examples, intArg, SECRET_FILE_OPTION, type DefineInput, type OptionsOf } from '../options/flags.js';

function replayCommand(program: Command) {
  return program
    .command('replay [paths...]')
    .description('send fixture files or folders, or a provider\'s built-in events, to one URL and check the answers (for CI)')
    .option('-t, --to <url>', 'your endpoint; Square, HubSpot and Twilio sign this exact URL (default: config forwardTo)')
    .option('-p, --provider <name>', 'provider for fixtures outside a <provider>/ folder (default: config); with no paths, replay its built-in events')
    .option('--builtin', "also send every built-in event of --provider (implied when no paths are given)")
    .option('-s, --secret <secret>', "signing secret for every provider (default: each provider's env var; - reads one line from stdin)")
    .option(...SECRET_FILE_OPTION)
    .option('--concurrency <n>', 'deliveries in flight at once', intArg('--concurrency', 1), 4)
    .option('--expect <status>', 'answer that passes: 200, 2xx or 200,202 (a fixture\'s "$fixture".expect wins; default 2xx)')
    .option('--from-ip <addr>', 'send X-Forwarded-For: <addr> to test an IP allow-list ("provider": its documented addresses in turn)')
    .option('--junit <file>', 'also write a JUnit XML report')
    .option('--json', 'one JSON object per fixture, then a summary object')
    .addHelpText(
      'after',
      examples([
        'webhook replay --provider paystack --to http://localhost:3000/hooks   # every built-in paystack event',
        'webhook replay fixtures/ --to http://localhost:3000/hooks',
        'webhook replay fixtures/paystack --to http://localhost:3000/hooks --expect 200 --junit reports/webhooks.xml',
        'webhook replay a.json b.json --provider koard --concurrency 16 --json',
        'webhook replay fixtures/paystack --provider paystack --builtin --to http://localhost:3000/hooks',
      ]),
    );
}

/** What `webhook replay` parses its flags into (run.ts takes it as a type only). */
export type ReplayOptions = OptionsOf<typeof replayCommand>;

export function defineReplay(program: Command, { context, run }: DefineInput): void {
  replayCommand(program)
    .action((paths, opts) => run(async () => (await import('./run.js')).runReplayCommand(paths, opts, context())));
}
