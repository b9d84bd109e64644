import type { Command } from '@commander-js/extra-typings';
import { examples, intArg, positiveNumberArg, SECRET_FILE_OPTION, type DefineInput, type OptionsOf } from '../options/flags.js';

function sandboxCommand(program: Command) {
  return program
    .command('sandbox')
    .description('run a local PayKore-compatible provider: register endpoints, emit signed events, retry, abandon')
    .option('--port <n>', 'port on 127.0.0.1 (default: any free port)', intArg('--port'))
    .option('--time-scale <factor>', 'multiply every retry delay (0.001 turns 24 h into 86 s)', positiveNumberArg('--time-scale'), 1)
    .option('--timeout <ms>', "override the provider's delivery timeout", intArg('--timeout', 1))
    .option('--store <dir>', 'keep endpoints and deliveries here across restarts')
    .option('--deliver-as <provider>', 'emit as paystack or koard (no registration API) to --to')
    .option('-t, --to <url>', 'where --deliver-as deliveries go (default: config forwardTo)')
    .option('-s, --secret <secret>', "--deliver-as signing secret (default: the provider's env var; - reads one line from stdin)")
    .option(...SECRET_FILE_OPTION)
    .option('--mode <mode>', 'retry schedule of a provider with several: --deliver-as paystack --mode test (default) or live')
    .option('--abandon-after <n>', 'abandon a delivery after this many failed attempts in all (default: the whole schedule; PayKore 9)', intArg('--abandon-after', 1))
    .option('--allow-private', 'accept endpoint URLs on private and link-local addresses (10.x, 192.168.x, 169.254.x, fc00::/7, fe80::/10)')
    .option('--fixtures <dir>', 'fixture folder searched before the built-ins for event bodies')
    .option('--json', 'NDJSON: {"type":"ready","url"} then one {"type":"attempt",...} per attempt')
    .addHelpText(
      'after',
      examples([
        'webhook sandbox --port 4010',
        'webhook sandbox --time-scale 0.001 --store .webhook/sandbox --json',
        'webhook sandbox --deliver-as koard --to http://localhost:3000/webhooks --secret whsec_...',
        'webhook sandbox --deliver-as paystack --mode live --to http://localhost:3000/webhooks --time-scale 0.001',
        'webhook sandbox --abandon-after 8',
        `curl -s localhost:4010/v1/webhooks -H 'X-API-Key: sk_test_0123456789' -d '{"url":"http://localhost:3000/hooks"}'`,
        `curl -s localhost:4010/v1/events -H 'X-API-Key: sk_test_0123456789' -d '{"event":"transaction.completed"}'`,
      ]),
    );
}

/** What `webhook sandbox` parses its flags into (run.ts takes it as a type only). */
export type SandboxCommandOptions = OptionsOf<typeof sandboxCommand>;

export function defineSandbox(program: Command, { context, run }: DefineInput): void {
  sandboxCommand(program)
    .action((opts) => run(async () => (await import('./run.js')).runSandbox(opts, context())));
}
