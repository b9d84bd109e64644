import { openStoreLog } from '../options/store.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { printable } from '../../output/printable.js';
import path from 'node:path';
import type { CliContext } from '../../context.js';
import { fixtureRoots, userFixtureRoots } from '../../payloads/events.js';
import { findFixtureFile } from '../../payloads/load.js';
import { readFileOrExplain } from '../../input.js';
import { ExitCode, UsageError } from '../../errors.js';
import { deliveryJson, deliveryLine } from '../../output/delivery-line.js';
import { describeDelivery, plainDescribedLine } from '../../output/describe-delivery.js';
import { findDelivery } from '../../store/find.js';
import { harExport, isExportFormat, ndjsonExport, newestDeliveries } from '../../store/export.js';
import { mergeRecords, parseExport } from '../../store/import.js';
import { redactBody } from '../../store/redact.js';
import { countOf } from '../../quantity.js';
import type { WebhookConfig } from '../../config/schema.js';
import type { LogOptions, LogShowOptions, LogSaveOptions, LogExportOptions, LogImportOptions } from './command.js';

export async function runLog(options: LogOptions, ctx: CliContext): Promise<number> {
  const log = await openStoreLog(ctx, options.store);
  try {
    const out = ctx.sink(options);
    for (const warning of log.warnings) out.warn(warning);
    if (options.interactive) {
      if (!ctx.mode.interactive) throw new UsageError('--interactive needs a terminal (stdin and stdout a TTY, CI unset)', { hint: 'drop --interactive, or add --json for machine-readable output' });
      const { browseLog } = await import('../../ui/browse.js');
      await browseLog(log, ctx);
      return ExitCode.ok;
    }
    const total = log.size();
    const start = Math.max(0, total - (options.limit ?? 20));
    if (total === 0 && !out.json) out.note(`no deliveries yet in ${log.file}`);
    for (const summary of log.summaries(start, total)) {
      const delivery = await log.load(summary.id);
      if (!delivery) continue;
      if (out.json) out.record(deliveryJson(delivery.request, delivery.outcome));
      else out.line(deliveryLine(delivery.request, delivery.outcome, out.style));
    }
    return ExitCode.ok;
  } finally {
    await log.close();
  }
}

export async function runLogShow(id: string, options: LogShowOptions, ctx: CliContext): Promise<number> {
  const log = await openStoreLog(ctx, options.store);
  try {
    const delivery = await findDelivery(log, id, (text) => ctx.sink(options).note(text));
    const { request, outcome } = delivery;
    const body = Buffer.from(request.bodyBase64, 'base64');
    if (options.raw) {
      ctx.streams.stdout.write(body);
      return ExitCode.ok;
    }
    const replays = log.replaysOf(request.id);
    const out = ctx.sink(options);
    if (out.json) {
      out.record({ request: { ...request, body: body.toString('utf8') }, outcome: outcome ?? null, replays: replays.map((r) => ({ id: r.id, status: r.status ?? null, source: r.source })) });
      return ExitCode.ok;
    }
    // Everything recorded came from outside (the sender, the app, the log file): escaped by
    // describeDelivery; `--json` and `--raw` give it exactly.
    for (const line of describeDelivery(delivery, replays, { rawHint: '--raw: exact bytes' })) out.line(plainDescribedLine(out.style, line));
    return ExitCode.ok;
  } finally {
    await log.close();
  }
}

/** What `trigger` does with a saved fixture file: sends it by default, needs --fixtures, or cannot find it by name. */
async function triggerNote(file: string, provider: string, config: WebhookConfig, cwd: string): Promise<string | undefined> {
  if (path.basename(path.dirname(file)) !== provider || !file.endsWith('.json')) return undefined;
  const event = path.basename(file, '.json');
  const root = path.dirname(path.dirname(file));
  const shown = (p: string) => path.relative(cwd, p) || '.';
  if ((await findFixtureFile(fixtureRoots(config, cwd), provider, event)) === file) return `\`webhook trigger ${event} -p ${provider}\` now sends this capture`;
  return `\`webhook trigger ${event} -p ${provider} --fixtures ${shown(root)}\` sends this capture (that folder is not searched by default)`;
}

/**
 * A name from a delivery as one file name: letters, digits, `.`, `_` and `-` only (anything else
 * becomes `_`), no leading dot (so never `..` or a hidden file), at most 200 characters.
 */
function safeFileName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, (dots) => '_'.repeat(dots.length)).slice(0, 200);
  return cleaned === '' ? '_' : cleaned;
}

/** `webhook log save`: a captured delivery becomes a fixture, so a real event becomes a CI case. */
export async function runLogSave(id: string, options: LogSaveOptions, ctx: CliContext): Promise<number> {
  const log = await openStoreLog(ctx, options.store);
  try {
    const { request } = await findDelivery(log, id, (text) => ctx.sink({}).note(text));
    if (!request.event && !options.as) throw new UsageError(`delivery ${request.id} has no event type to name the fixture after`, { hint: 'pass --as <file>' });
    const { config } = await ctx.config();
    // Captures go where fixtures are looked up: the configured folder, else ./fixtures. The
    // provider and event names came with the delivery (anyone can send one): each becomes one
    // plain file name, and the file must land inside that folder.
    const root = userFixtureRoots(config, ctx.cwd)[0]!;
    const file = options.as ? path.resolve(ctx.cwd, options.as) : path.join(root, safeFileName(request.provider), `${safeFileName(request.event ?? '')}.json`);
    if (!options.as && path.relative(root, file).split(path.sep).includes('..')) {
      throw new UsageError(`the delivery's event name ${JSON.stringify(printable(request.event ?? ''))} does not make a file name inside ${root}`, { hint: 'pass --as <file> to name the fixture yourself' });
    }
    let body: Buffer = Buffer.from(request.bodyBase64, 'base64');
    const paths = options.redact?.split(',').map((p) => p.trim()).filter(Boolean) ?? [];
    if (paths.length > 0) body = redactBody(body, paths);
    await mkdir(path.dirname(file), { recursive: true });
    try {
      await writeFile(file, body, { flag: options.force ? 'w' : 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${path.relative(ctx.cwd, file)} already exists`, { hint: 'pass --force to overwrite it, or --as <another file>' });
      throw error;
    }
    const out = ctx.sink({});
    out.line(`saved ${path.relative(ctx.cwd, file)} (${countOf(body.length, 'byte')}${paths.length ? `, ${paths.length} redacted` : ', exactly as received'}) from ${printable(request.id)}`);
    const trigger = await triggerNote(file, request.provider, config, ctx.cwd);
    if (trigger) out.line(trigger);
    out.note(`replay it: webhook replay ${path.relative(ctx.cwd, file)} --provider ${request.provider} --to <url>`);
    return ExitCode.ok;
  } finally {
    await log.close();
  }
}

/** `webhook log export`: NDJSON records (re-importable) or a HAR 1.2 document. */
export async function runLogExport(options: LogExportOptions, ctx: CliContext): Promise<number> {
  const format = options.format ?? 'ndjson';
  if (!isExportFormat(format)) throw new UsageError(`unknown --format "${format}"`, { hint: 'use ndjson or har' });
  const log = await openStoreLog(ctx, options.store);
  try {
    const { deliveries, listed } = await newestDeliveries(log, options.limit);
    const text = format === 'ndjson' ? ndjsonExport(deliveries) : harExport(deliveries);
    if (options.output) {
      await writeFile(path.resolve(ctx.cwd, options.output), text, { mode: 0o600 }); // bodies and headers: yours only
      ctx.sink({}).note(`wrote ${countOf(listed, 'delivery', 'deliveries')} to ${options.output}`);
    } else ctx.streams.stdout.write(text);
    return ExitCode.ok;
  } finally {
    await log.close();
  }
}

/** `webhook log import`: append records from an NDJSON export; ids already in the log are skipped. */
export async function runLogImport(file: string, options: LogImportOptions, ctx: CliContext): Promise<number> {
  const records = parseExport((await readFileOrExplain(file, 'export file')).toString('utf8'), file);
  const log = await openStoreLog(ctx, options.store, { write: 'log import' });
  try {
    const { added, skipped } = await mergeRecords(log, records);
    ctx.sink({}).line(`imported ${countOf(added, 'delivery', 'deliveries')} into ${log.file}${skipped ? ` (${skipped} already there)` : ''}`);
    return ExitCode.ok;
  } finally {
    await log.close();
  }
}
