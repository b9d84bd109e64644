import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CliContext } from '../context.js';
import { patchBody } from '../fixtures/load.js';
import { fixtureOverrides } from './fixture-options.js';
import { resendDelivery } from '../delivery/resend.js';
import { excerpt } from '../delivery/trigger.js';
import { UsageError } from '../errors.js';
import { parseHttpUrl } from '../input.js';
import { getProvider, providerRegistry } from '../providers/index.js';
import { resolveSecret } from '../secrets.js';
import { renderOutcome } from './trigger.js';
import { findDelivery, openStoreLog } from './log.js';

export interface ResendOptions {
  to?: string | undefined;
  resign?: boolean | undefined;
  set?: string[] | undefined;
  data?: string | undefined;
  edit?: boolean | undefined;
  secret?: string | undefined;
  store?: string | undefined;
  json?: boolean | undefined;
}

/** The body with --data/--set applied (serialised once) and/or edited in $EDITOR; undefined when unchanged. */
async function editedBody(original: Buffer, options: ResendOptions, ctx: CliContext): Promise<Buffer | undefined> {
  let text = original.toString('utf8');
  let changed = false;
  if ((options.set?.length ?? 0) > 0 || options.data !== undefined) {
    text = patchBody(text, await fixtureOverrides({ set: options.set, data: options.data }), 'the recorded body');
    changed = true;
  }
  if (options.edit) {
    const editor = ctx.env.VISUAL || ctx.env.EDITOR;
    if (!editor) throw new UsageError('--edit needs an editor', { hint: 'set EDITOR (e.g. EDITOR=nano), or use --set path=value' });
    const dir = await mkdtemp(path.join(tmpdir(), 'webhook-edit-'));
    const file = path.join(dir, 'body.json');
    try {
      await writeFile(file, text, { mode: 0o600 });
      const run = spawnSync(editor, [file], { stdio: 'inherit', shell: true });
      if (run.status !== 0) throw new UsageError(`the editor (${editor}) exited with ${run.status ?? run.signal}; nothing was sent`);
      const edited = await readFile(file, 'utf8');
      changed ||= edited !== text;
      text = edited;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return changed ? Buffer.from(text, 'utf8') : undefined;
}

/** Send a recorded delivery again, recorded in the log as a resend linked to the original. */
export async function runResend(id: string, options: ResendOptions, ctx: CliContext): Promise<number> {
  const log = await openStoreLog(ctx, options.store, { write: 'resend' });
  try {
    const original = await findDelivery(log, id, (text) => ctx.sink(options).note(text));
    const target = options.to ?? original.outcome?.target;
    if (!target) throw new UsageError(`delivery ${original.request.id} was never forwarded, so there is no target to resend to`, { hint: 'pass --to <url>' });
    const url = parseHttpUrl('--to', target);
    const { config } = await ctx.config();
    const profile = getProvider(providerRegistry(config), original.request.provider);
    const body = await editedBody(Buffer.from(original.request.bodyBase64, 'base64'), options, ctx);
    // A changed body needs a fresh signature to be valid; an unchanged one keeps the recorded headers.
    const resignWith = options.resign || body ? resolveSecret(profile, options.secret, ctx.env, { warn: (text) => ctx.sink({}).warn(text) })!.value : undefined;
    const { request, result, messageId } = await resendDelivery({ log, original, url, profile, resignWith, body, clock: ctx.clock });
    renderOutcome(ctx.sink(options), {
      event: request.event ?? '(no event)',
      provider: profile.name,
      url: url.toString(),
      status: result.status,
      ok: result.ok,
      durationMs: Math.round(result.durationMs),
      id: request.id,
      ...(messageId ? { messageId } : {}),
      ...(result.error ? { error: result.error } : {}),
      ...(result.body.length > 0 ? { bodyExcerpt: excerpt(result.body, result.truncated) } : {}),
    });
    return result.ok ? 0 : 1;
  } finally {
    await log.close();
  }
}
