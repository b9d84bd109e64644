import type { Command } from '@commander-js/extra-typings';
import { examples, intArg, type DefineInput } from './shared.js';

export function defineLog(program: Command, { context, run }: DefineInput): void {
  const log = program
    .command('log')
    .description('show recorded deliveries from the durable log (newest last)')
    .option('-n, --limit <n>', 'how many of the newest deliveries', intArg('--limit', 1), 20)
    .option('--store <dir>', 'delivery log folder (default: $WEBHOOK_STORE, config store, the state dir)')
    .option('-i, --interactive', 'browse in the interactive view (needs a terminal)')
    .option('--json', 'one JSON object per delivery')
    .addHelpText('after', examples(['webhook log', 'webhook log --limit 100 --json', 'webhook log show d0mwvia8xv001e99e85', 'webhook log -i']))
    .action((opts) => run(async () => (await import('../commands/log.js')).runLog(opts, context())));
  log
    .command('show <id>')
    .description('one delivery: headers, raw body, signature verdict, the app’s answer, replays')
    .option('--raw', 'write the exact body bytes to stdout, nothing else')
    .option('--store <dir>', 'delivery log folder')
    .option('--json', 'the whole delivery as one JSON object')
    .addHelpText('after', examples(['webhook log show 9e85', 'webhook log show 9e85 --raw > body.json']))
    .action((id, opts) => run(async () => (await import('../commands/log.js')).runLogShow(id, { ...opts, store: opts.store ?? log.opts().store, json: opts.json ?? log.opts().json }, context())));
}
