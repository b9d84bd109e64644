import type { Command } from '@commander-js/extra-typings';
import { examples, type DefineInput } from './shared.js';

export function defineResend(program: Command, { context, run }: DefineInput): void {
  program
    .command('resend <id>')
    .description('send a recorded delivery again: the same bytes and headers (re-signed only with --resign)')
    .option('-t, --to <url>', 'where to send it (default: where it was forwarded)')
    .option('--resign', 'sign again with a fresh timestamp/id (needs the secret)')
    .option('-s, --secret <secret>', "secret for --resign (default: the provider's env var)")
    .option('--store <dir>', 'delivery log folder')
    .option('--json', 'one JSON object: event, provider, url, status, ok, durationMs, id')
    .addHelpText('after', examples(['webhook resend 9e85', 'webhook resend 9e85 --to http://localhost:4000/hooks', 'webhook resend 9e85 --resign --json']))
    .action((id, opts) => run(async () => (await import('../commands/resend.js')).runResend(id, opts, context())));
}
