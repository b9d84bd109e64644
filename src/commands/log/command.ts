import type { Command } from '@commander-js/extra-typings';
import { examples, intArg, type DefineInput, type OptionsOf } from '../options/flags.js';

function logCommand(program: Command) {
  return program
    .command('log')
    .description('show recorded deliveries from the durable log (newest last)')
    .option('-n, --limit <n>', 'how many of the newest deliveries', intArg('--limit', 1), 20)
    .option('--store <dir>', 'delivery log folder (default: $WEBHOOK_STORE, config store, the state dir)')
    .option('-i, --interactive', 'browse in the interactive view (needs a terminal)')
    .option('--json', 'one JSON object per delivery')
    .addHelpText('after', examples(['webhook log', 'webhook log --limit 100 --json', 'webhook log show d0mwvia8xv001e99e85', 'webhook log -i']));
}

function logShowCommand(log: Command) {
  return log
    .command('show <id>')
    .description('one delivery: headers, raw body, signature verdict, the app’s answer, replays')
    .option('--raw', 'write the exact body bytes to stdout, nothing else')
    .option('--store <dir>', 'delivery log folder')
    .option('--json', 'the whole delivery as one JSON object')
    .addHelpText('after', examples(['webhook log show 9e85', 'webhook log show 9e85 --raw > body.json']));
}

function logSaveCommand(log: Command) {
  return log
    .command('save <id>')
    .description('turn a captured delivery into a fixture: the body bytes as received (optionally redacted)')
    .option('--as <file>', 'where to write it (default: <your fixtures folder>/<provider>/<event>.json; the folder is config "fixtures", else ./fixtures)')
    .option('--redact <paths>', 'replace these JSON paths with "[redacted]", comma-separated (e.g. data.customer.email)')
    .option('--force', 'overwrite an existing file')
    .option('--store <dir>', 'delivery log folder')
    .addHelpText('after', examples(['webhook log save 9e85', 'webhook log save 9e85 --as test/fixtures/paystack/refund-edge.json --redact data.customer.email,data.authorization']));
}

function logExportCommand(log: Command) {
  return log
    .command('export')
    .description('write recorded deliveries as NDJSON (re-importable) or HAR (for HTTP tools)')
    .option('--format <format>', 'ndjson or har', 'ndjson')
    .option('-n, --limit <n>', 'only the newest n deliveries', intArg('--limit', 1))
    .option('-o, --output <file>', 'write here instead of stdout')
    .option('--store <dir>', 'delivery log folder')
    .addHelpText('after', examples(['webhook log export > session.ndjson', 'webhook log export --format har -o session.har']));
}

function logImportCommand(log: Command) {
  return log
    .command('import <file>')
    .description('add deliveries from a `webhook log export` NDJSON file to the log (ids already present are skipped)')
    .option('--store <dir>', 'delivery log folder')
    .addHelpText('after', examples(['webhook log import session.ndjson --store .webhook/shared']));
}

/** What `webhook log` and its subcommands parse their flags into (run.ts takes them as types only). */
export type LogOptions = OptionsOf<typeof logCommand>;
export type LogShowOptions = OptionsOf<typeof logShowCommand>;
export type LogSaveOptions = OptionsOf<typeof logSaveCommand>;
export type LogExportOptions = OptionsOf<typeof logExportCommand>;
export type LogImportOptions = OptionsOf<typeof logImportCommand>;

export function defineLog(program: Command, { context, run }: DefineInput): void {
  const log = logCommand(program).action((opts) => run(async () => (await import('./run.js')).runLog(opts, context())));
  logShowCommand(log).action((id, opts) => run(async () => (await import('./run.js')).runLogShow(id, { ...opts, store: opts.store ?? log.opts().store, json: opts.json ?? log.opts().json }, context())));
  logSaveCommand(log).action((id, opts) => run(async () => (await import('./run.js')).runLogSave(id, { ...opts, store: opts.store ?? log.opts().store }, context())));
  logExportCommand(log).action((opts) => run(async () => (await import('./run.js')).runLogExport({ ...opts, store: opts.store ?? log.opts().store }, context())));
  logImportCommand(log).action((file, opts) => run(async () => (await import('./run.js')).runLogImport(file, { ...opts, store: opts.store ?? log.opts().store }, context())));
}
