import type { Command } from '@commander-js/extra-typings';
import { examples, type DefineInput, type OptionsOf } from '../options/flags.js';

function endpointsCommand(program: Command) {
  return program
    .command('endpoints')
    .description('list or prune the endpoints `listen` registered with the provider (PayKore)')
    .argument('[action]', 'list or prune', 'list')
    .option('-p, --provider <name>', 'provider with a registration API (default: config provider, else paykore)')
    .option('--api-base <url>', 'registration API base (default: $PAYKORE_API_BASE, config, the provider’s)')
    .option('--store <dir>', 'the store whose listen sessions registered them')
    .option('--json', 'one JSON object per endpoint')
    .addHelpText('after', examples(['PAYKORE_API_KEY=sk_test_... webhook endpoints', 'webhook endpoints prune --api-base http://127.0.0.1:4010']));
}

/** What `webhook endpoints` parses its flags into (run.ts takes it as a type only). */
export type EndpointsOptions = OptionsOf<typeof endpointsCommand>;

export function defineEndpoints(program: Command, { context, run }: DefineInput): void {
  endpointsCommand(program)
    .action((action, opts) => run(async () => (await import('./run.js')).runEndpoints(action, opts, context())));
}
