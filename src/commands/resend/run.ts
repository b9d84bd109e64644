import { spawnSync } from 'node:child_process';
import { storeDirFor } from '../options/store.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CliContext } from '../../context.js';
import { patchBody } from '../../payloads/load.js';
import { fixtureOverrides } from '../options/fixture.js';
import { resendDelivery } from '../../delivery/resend.js';
import { endToEndHeaders } from '../../delivery/headers.js';
import { excerpt, injectIntoSession } from '../../delivery/trigger.js';
import { findSession, invalidSessionNote } from '../../listen/session.js';
import type { SessionInfo } from '../../session-protocol.js';
import type { Delivery } from '../../store/types.js';
import { ExitCode, UsageError } from '../../errors.js';
import { parseHttpUrl } from '../../input.js';
import { getProvider, providerRegistry } from '../../providers/index.js';
import { commandSecret } from '../../secrets.js';
import { triggerRenderer } from '../../reports/trigger-report.js';
import { openStoreLog } from '../options/store.js';
import { findDelivery } from '../../store/find.js';
import type { ResendOptions } from './command.js';

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

/**
 * Send a recorded delivery again, recorded in the log as a resend linked to the original. While
 * a `listen` session writes the store, the resend goes through that session (the store's one
 * writer), which signs an edited body with its own secret.
 */
export async function runResend(id: string, options: ResendOptions, ctx: CliContext): Promise<number> {
  const storeDir = await storeDirFor(ctx, options.store);
  const { live: session, invalid } = await findSession(storeDir);
  if (invalid !== undefined) ctx.sink(options).warn(invalidSessionNote(storeDir, invalid));
  if (session) return resendThroughSession(id, session, options, ctx);
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
    const resignWith = options.resign || body ? (await commandSecret(profile, options, ctx))!.value : undefined;
    const { request, result, messageId } = await resendDelivery({ log, original, url, profile, resignWith, body, clock: ctx.clock });
    triggerRenderer(ctx.sink(options))({ type: 'delivery', outcome: {
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
    } });
    return result.ok ? ExitCode.ok : ExitCode.failed;
  } finally {
    await log.close();
  }
}

async function resendThroughSession(id: string, session: SessionInfo, options: ResendOptions, ctx: CliContext): Promise<number> {
  if (options.to !== undefined) {
    throw new UsageError(`a listen session (pid ${session.pid}) is writing this store: a resend goes through it, to its app`, { hint: 'drop --to to resend to the session’s app, or stop listen to resend elsewhere' });
  }
  const log = await openStoreLog(ctx, options.store);
  let original: Delivery;
  try {
    original = await findDelivery(log, id, (text) => ctx.sink(options).note(text));
  } finally {
    await log.close();
  }
  if (original.request.provider !== session.provider) {
    throw new UsageError(`${original.request.id} is a ${original.request.provider} delivery; the running listen session (pid ${session.pid}) is for ${session.provider}`, {
      hint: 'stop that session to resend it directly, or resend it to its app with the session stopped and --to',
    });
  }
  const { config } = await ctx.config();
  const profile = getProvider(providerRegistry(config), original.request.provider);
  const recorded = Buffer.from(original.request.bodyBase64, 'base64');
  const body = await editedBody(recorded, options, ctx);
  // Unchanged and not --resign: the recorded bytes and headers; otherwise the session signs.
  const verbatim = !options.resign && !body;
  const outcome = await injectIntoSession({
    session,
    profile,
    event: original.request.event ?? '(no event)',
    body: body ?? recorded,
    replayOf: original.request.id,
    source: 'resend',
    ...(verbatim ? { headers: endToEndHeaders(original.request.headers) } : {}),
    clock: ctx.clock,
    signal: ctx.signal,
  });
  const { signedId: _signedId, ...shown } = outcome;
  triggerRenderer(ctx.sink(options))({ type: 'delivery', outcome: shown });
  return outcome.ok ? ExitCode.ok : ExitCode.failed;
}
