import type { Command } from '@commander-js/extra-typings';
import { collect, examples, type DefineInput } from './shared.js';

export function defineFixtures(program: Command, { context, run }: DefineInput): void {
  const fixtures = program
    .command('fixtures')
    .description('list fixture events (your folders first, then the built-ins); `fixtures show <event>` prints one')
    .addHelpText(
      'after',
      examples(['webhook fixtures', 'webhook fixtures --provider paystack --json', 'webhook fixtures show charge.success --provider paystack --set data.amount=5000']),
    );
  // `list` is the default, so `webhook fixtures --provider p` lists (its flags must not live on the
  // parent, or the parent would take `show`'s flags of the same name).
  fixtures
    .command('list', { isDefault: true })
    .description('list fixture events with the file each comes from')
    .option('-p, --provider <name>', 'only this provider')
    .option('--fixtures <dir>', 'a fixtures folder (<dir>/<provider>/<event>.json), searched first (repeatable)', collect)
    .option('--json', 'one JSON object per event')
    .action((opts) => run(async () => (await import('../commands/fixtures.js')).runFixtures(opts, context())));
  fixtures
    .command('show <event>')
    .description('print the body an event would be sent with (templates filled, overrides applied)')
    .option('-p, --provider <name>', 'provider (default: config, else the only provider with this event)')
    .option('--fixtures <dir>', 'a fixtures folder, searched first (repeatable)', collect)
    .option('--set <path=value>', 'set a value in the body, typed as JSON when it parses (repeatable)', collect)
    .option('--data <file>', 'merge a JSON merge patch into the body')
    .option('--json', 'print one JSON object')
    .addHelpText('after', examples(['webhook fixtures show charge.success -p paystack', 'webhook fixtures show transaction.created -p koard --set data.amount=5000']))
    .action((event, opts) => run(async () => (await import('../commands/fixtures.js')).runFixturesShow(event, opts, context())));
}
