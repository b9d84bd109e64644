import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { deliveryJson, deliveryLine, signatureMark } from '../output/delivery-line.js';
import { openDeliveryLog, type DeliveryLog } from '../store/delivery-log.js';
import { resolveStoreDir } from '../store/location.js';
import type { Delivery } from '../store/types.js';

export interface LogOptions {
  limit?: number | undefined;
  store?: string | undefined;
  interactive?: boolean | undefined;
  json?: boolean | undefined;
}

export async function openStoreLog(ctx: CliContext, store: string | undefined): Promise<DeliveryLog> {
  const { config } = await ctx.config();
  return openDeliveryLog(resolveStoreDir({ flag: store, env: ctx.env, configStore: config.store, cwd: ctx.cwd }));
}

/** A delivery by id or any unique piece of one; a clear error otherwise. */
export async function findDelivery(log: DeliveryLog, id: string): Promise<Delivery> {
  const matches = log.resolveId(id);
  if (matches.length === 0) throw new UsageError(`no delivery "${id}" in ${log.file}`, { hint: 'run `webhook log` to see the recorded ids' });
  if (matches.length > 1) throw new UsageError(`"${id}" matches ${matches.length} deliveries`, { hint: `give more characters, e.g. ${matches.slice(0, 2).join(' or ')}` });
  return (await log.load(matches[0]!))!;
}

export async function runLog(options: LogOptions, ctx: CliContext): Promise<number> {
  const log = await openStoreLog(ctx, options.store);
  try {
    const out = ctx.sink(options);
    for (const warning of log.warnings) out.warn(warning);
    if (options.interactive) {
      if (!ctx.mode.interactive) throw new UsageError('--interactive needs a terminal (stdin and stdout a TTY, CI unset)', { hint: 'drop --interactive, or add --json for machine-readable output' });
      const { browseLog } = await import('../ui/browse.js');
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

function headerLines(headers: Readonly<Record<string, string | readonly string[]>>): string[] {
  return Object.entries(headers).map(([name, value]) => `  ${name}: ${typeof value === 'string' ? value : value.join(', ')}`);
}

/** The body for reading: pretty JSON when it parses, else the text as received. */
export function readableBody(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export async function runLogShow(id: string, options: LogShowOptions, ctx: CliContext): Promise<number> {
  const log = await openStoreLog(ctx, options.store);
  try {
    const { request, outcome } = await findDelivery(log, id);
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
    const { style } = out;
    const verdict = request.signature.state === 'verified' ? 'verified' : request.signature.state === 'failed' ? `failed: ${request.signature.reason} (${request.signature.detail})` : `unknown: ${request.signature.detail}`;
    out.line(`${style.bold(request.event ?? '(no event)')}  ${request.id}  ${new Date(request.receivedAt).toISOString()}  ${request.provider}${request.source && request.source !== 'provider' ? `  [${request.source}${request.replayOf ? ` of ${request.replayOf}` : ''}]` : ''}`);
    out.line(`signature ${signatureMark(request.signature.state, style)} ${verdict}`);
    out.line('');
    out.line(style.bold(`request  ${request.method} ${request.path}  (${request.bodySize} bytes)`));
    for (const line of headerLines(request.headers)) out.line(line);
    out.line('');
    out.line(readableBody(body));
    out.line('');
    if (outcome) {
      out.line(style.bold(`response  ${outcome.status ?? '---'} → answered ${outcome.answered}  ${outcome.durationMs} ms  ${outcome.target}`));
      if (outcome.error) out.line(`  ${style.red(outcome.error.message)}`);
      if (outcome.skipped) out.line(`  ${style.dim(outcome.skipped)}`);
      for (const line of headerLines(outcome.headers ?? {})) out.line(line);
      if (outcome.bodyExcerptBase64) out.line(readableBody(Buffer.from(outcome.bodyExcerptBase64, 'base64')));
    } else {
      out.line(style.yellow('no response recorded (the session stopped before the app answered)'));
    }
    if (replays.length > 0) {
      out.line('');
      out.line(style.bold('replays'));
      for (const r of replays) out.line(`  ${r.id}  ${r.source}  ${r.status ?? r.answered ?? '---'}`);
    }
    return 0;
  } finally {
    await log.close();
  }
}
