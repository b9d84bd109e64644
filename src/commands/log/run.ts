import { isUtf8 } from 'node:buffer';
import { storeDirFor } from '../options/store.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { printable } from '../../output/printable.js';
import path from 'node:path';
import type { CliContext } from '../../context.js';
import { fixtureRoots, userFixtureRoots } from '../../payloads/events.js';
import { serialiseLike, setPath } from '../../payloads/json.js';
import { findFixtureFile } from '../../payloads/load.js';
import { readFileOrExplain } from '../../input.js';
import type { LogRecord } from '../../store/types.js';
import { UsageError } from '../../errors.js';
import { deliveryJson, deliveryLine } from '../../output/delivery-line.js';
import { describeDelivery, plainDescribedLine } from '../../output/describe-delivery.js';
import { openDeliveryLog, type DeliveryLog } from '../../store/delivery-log.js';
import { parseLogRecord } from '../../store/records.js';
import { countOf } from '../../quantity.js';
import type { Delivery } from '../../store/types.js';
import type { WebhookConfig } from '../../config/schema.js';

export interface LogOptions {
  limit?: number | undefined;
  store?: string | undefined;
  interactive?: boolean | undefined;
  json?: boolean | undefined;
}

/**
 * The store's log: read-only by default (any number of readers, also while `listen` writes);
 * `write` makes this command the store's one writer (refused while another holds it).
 */
export async function openStoreLog(ctx: CliContext, store: string | undefined, access: { write: string } | 'read' = 'read'): Promise<DeliveryLog> {
  const dir = await storeDirFor(ctx, store);
  return openDeliveryLog(dir, access === 'read' ? { access: 'read' } : { access: 'write', command: access.write, now: new Date(ctx.clock.now()) });
}

/**
 * A delivery by its id, any unique piece of one, or the provider's message id (when several
 * deliveries carry it, e.g. a retry or a duplicate, the newest; `note` says so); a clear error otherwise.
 */
export async function findDelivery(log: DeliveryLog, id: string, note?: (text: string) => void): Promise<Delivery> {
  const matches = log.resolveId(id);
  if (matches.length === 0) throw new UsageError(`no delivery "${id}" in ${log.file}`, { hint: 'run `webhook log` to see the recorded ids' });
  if (matches.length > 1) {
    const newest = (await log.load(matches.at(-1)!))!;
    if (newest.request.messageId === id) {
      note?.(`${matches.length} deliveries carry ${id}; using the newest, ${newest.request.id} (the others: ${matches.slice(0, -1).join(', ')})`);
      return newest;
    }
    throw new UsageError(`"${id}" matches ${matches.length} deliveries`, { hint: `give more characters, e.g. ${matches.slice(0, 2).join(' or ')}` });
  }
  return (await log.load(matches[0]!))!;
}

export async function runLog(options: LogOptions, ctx: CliContext): Promise<number> {
  const log = await openStoreLog(ctx, options.store);
  try {
    const out = ctx.sink(options);
    for (const warning of log.warnings) out.warn(warning);
    if (options.interactive) {
      if (!ctx.mode.interactive) throw new UsageError('--interactive needs a terminal (stdin and stdout a TTY, CI unset)', { hint: 'drop --interactive, or add --json for machine-readable output' });
      const { browseLog } = await import('../../ui/browse.js');
      await browseLog(log, ctx);
      return 0;
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
    return 0;
  } finally {
    await log.close();
  }
}

export interface LogShowOptions {
  raw?: boolean | undefined;
  store?: string | undefined;
  json?: boolean | undefined;
}

export async function runLogShow(id: string, options: LogShowOptions, ctx: CliContext): Promise<number> {
  const log = await openStoreLog(ctx, options.store);
  try {
    const delivery = await findDelivery(log, id, (text) => ctx.sink(options).note(text));
    const { request, outcome } = delivery;
    const body = Buffer.from(request.bodyBase64, 'base64');
    if (options.raw) {
      ctx.streams.stdout.write(body);
      return 0;
    }
    const replays = log.summaries(0, log.size()).filter((s) => s.replayOf === request.id);
    const out = ctx.sink(options);
    if (out.json) {
      out.record({ request: { ...request, body: body.toString('utf8') }, outcome: outcome ?? null, replays: replays.map((r) => ({ id: r.id, status: r.status ?? null, source: r.source })) });
      return 0;
    }
    // Everything recorded came from outside (the sender, the app, the log file): escaped by
    // describeDelivery; `--json` and `--raw` give it exactly.
    for (const line of describeDelivery(delivery, replays, { rawHint: '--raw: exact bytes' })) out.line(plainDescribedLine(out.style, line));
    return 0;
  } finally {
    await log.close();
  }
}

export interface LogSaveOptions {
  as?: string | undefined;
  redact?: string | undefined;
  force?: boolean | undefined;
  store?: string | undefined;
}

/** Replace each dot path that exists with "[redacted]"; serialised once, in the body's own style. */
export function redactBody(bytes: Buffer, paths: readonly string[]): Buffer {
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError('--redact needs a JSON body, and this one is not JSON', { hint: 'save it without --redact, or edit the file afterwards' });
  }
  for (const p of paths) {
    const keys = p.split('.');
    let node: unknown = value;
    for (const key of keys.slice(0, -1)) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    if (node === null || typeof node !== 'object' || !(keys.at(-1)! in (node as object))) throw new UsageError(`--redact: "${p}" is not in this body`, { hint: 'paths are dot-separated keys from the top, e.g. data.customer.email' });
    value = setPath(value, keys, '[redacted]', p);
  }
  return Buffer.from(serialiseLike(value, text), 'utf8');
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

/** `webhook log save`: a captured delivery becomes a fixture, so a real event becomes a CI case. */
/**
 * A name from a delivery as one file name: letters, digits, `.`, `_` and `-` only (anything else
 * becomes `_`), no leading dot (so never `..` or a hidden file), at most 200 characters.
 */
export function safeFileName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, (dots) => '_'.repeat(dots.length)).slice(0, 200);
  return cleaned === '' ? '_' : cleaned;
}

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
    return 0;
  } finally {
    await log.close();
  }
}

export interface LogExportOptions {
  format?: string | undefined;
  limit?: number | undefined;
  output?: string | undefined;
  store?: string | undefined;
}

const headerList = (headers: Readonly<Record<string, string | readonly string[]>> = {}) =>
  Object.entries(headers).flatMap(([name, value]) => (typeof value === 'string' ? [value] : [...value]).map((v) => ({ name, value: v })));

/**
 * A body in HAR 1.2 without losing bytes. Valid UTF-8 is kept as text. Otherwise a response's
 * `content` carries it base64 with `"encoding": "base64"` (HAR 1.2 defines that field there); a
 * request's `postData` has no such field in 1.2, so its `text` is the readable (lossy) decoding and
 * the custom field `_bodyBase64` (custom fields start with "_") holds the exact bytes.
 */
function harRequestBody(body: Buffer, mimeType: string) {
  if (isUtf8(body)) return { mimeType, text: body.toString('utf8') };
  return { mimeType, text: body.toString('utf8'), _bodyBase64: body.toString('base64'), comment: 'the body is not valid UTF-8: text is a lossy decoding, _bodyBase64 holds the exact bytes' };
}

function harResponseContent(body: Buffer, mimeType: string) {
  return isUtf8(body) ? { size: -1, mimeType, text: body.toString('utf8') } : { size: -1, mimeType, text: body.toString('base64'), encoding: 'base64' };
}

/** `webhook log export`: NDJSON records (re-importable) or a HAR 1.2 document. */
export async function runLogExport(options: LogExportOptions, ctx: CliContext): Promise<number> {
  const format = options.format ?? 'ndjson';
  if (format !== 'ndjson' && format !== 'har') throw new UsageError(`unknown --format "${format}"`, { hint: 'use ndjson or har' });
  const log = await openStoreLog(ctx, options.store);
  try {
    const total = log.size();
    const rows = log.summaries(options.limit ? Math.max(0, total - options.limit) : 0, total);
    const chunks: string[] = [];
    const entries: unknown[] = [];
    for (const row of rows) {
      const d = await log.load(row.id);
      if (!d) continue;
      if (format === 'ndjson') {
        chunks.push(`${JSON.stringify(d.request)}\n`);
        if (d.outcome) chunks.push(`${JSON.stringify(d.outcome)}\n`);
        continue;
      }
      const body = Buffer.from(d.request.bodyBase64, 'base64');
      const host = d.request.headers.host;
      entries.push({
        startedDateTime: new Date(d.request.receivedAt).toISOString(),
        time: d.outcome?.durationMs ?? 0,
        request: {
          method: d.request.method,
          url: `http://${typeof host === 'string' ? host : 'webhook-listen'}${d.request.path}`,
          httpVersion: 'HTTP/1.1',
          headers: headerList(d.request.headers),
          queryString: [],
          cookies: [],
          headersSize: -1,
          bodySize: d.request.bodySize,
          postData: harRequestBody(body, String(d.request.headers['content-type'] ?? 'application/octet-stream')),
        },
        response: {
          status: d.outcome?.status ?? d.outcome?.answered ?? 0,
          statusText: '',
          httpVersion: 'HTTP/1.1',
          headers: headerList(d.outcome?.headers),
          cookies: [],
          content: harResponseContent(Buffer.from(d.outcome?.bodyExcerptBase64 ?? '', 'base64'), String(d.outcome?.headers?.['content-type'] ?? '')),
          redirectURL: '',
          headersSize: -1,
          bodySize: -1,
        },
        cache: {},
        timings: { send: 0, wait: d.outcome?.durationMs ?? 0, receive: 0 },
        comment: `${d.request.provider} ${d.request.event ?? ''} signature ${d.request.signature.state} → ${d.outcome?.target ?? 'not forwarded'}`,
      });
    }
    const text = format === 'ndjson' ? chunks.join('') : `${JSON.stringify({ log: { version: '1.2', creator: { name: 'webhook', version: '0' }, entries } }, null, 2)}\n`;
    if (options.output) {
      await writeFile(path.resolve(ctx.cwd, options.output), text, { mode: 0o600 }); // bodies and headers: yours only
      ctx.sink({}).note(`wrote ${countOf(rows.length, 'delivery', 'deliveries')} to ${options.output}`);
    } else ctx.streams.stdout.write(text);
    return 0;
  } finally {
    await log.close();
  }
}

/** `webhook log import`: append records from an NDJSON export; ids already in the log are skipped. */
export async function runLogImport(file: string, options: { store?: string | undefined }, ctx: CliContext): Promise<number> {
  const text = (await readFileOrExplain(file, 'export file')).toString('utf8');
  const records: LogRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    // Every record is checked before anything is written: a bad file imports nothing.
    const parsed = parseLogRecord(line);
    if ('problem' in parsed) {
      throw new UsageError(`${file}:${i + 1}: ${parsed.problem === 'invalid JSON' ? 'not a JSON record' : `not a delivery record (${parsed.problem})`}; nothing was imported`, { hint: 'import reads what `webhook log export` (ndjson) writes' });
    }
    records.push(parsed.record);
  });
  const log = await openStoreLog(ctx, options.store, { write: 'log import' });
  try {
    let added = 0;
    let skipped = 0;
    const existing = new Set(log.summaries(0, log.size()).map((s) => s.id));
    const importing = new Set<string>();
    for (const record of records) {
      if (existing.has(record.id)) {
        if (record.kind === 'request') skipped++;
        continue;
      }
      if (record.kind === 'request') {
        importing.add(record.id);
        await log.appendRequest(record);
        added++;
      } else if (importing.has(record.id)) await log.appendOutcome(record);
    }
    ctx.sink({}).line(`imported ${countOf(added, 'delivery', 'deliveries')} into ${log.file}${skipped ? ` (${skipped} already there)` : ''}`);
    return 0;
  } finally {
    await log.close();
  }
}
