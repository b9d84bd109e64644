import type { CliContext } from '../context.js';
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
  secret?: string | undefined;
  store?: string | undefined;
  json?: boolean | undefined;
}

/** Send a recorded delivery again, recorded in the log as a resend linked to the original. */
export async function runResend(id: string, options: ResendOptions, ctx: CliContext): Promise<number> {
  const log = await openStoreLog(ctx, options.store);
  try {
    const original = await findDelivery(log, id);
    const target = options.to ?? original.outcome?.target;
    if (!target) throw new UsageError(`delivery ${original.request.id} was never forwarded, so there is no target to resend to`, { hint: 'pass --to <url>' });
    const url = parseHttpUrl('--to', target);
    const { config } = await ctx.config();
    const profile = getProvider(providerRegistry(config), original.request.provider);
    const resignWith = options.resign ? resolveSecret(profile, options.secret, ctx.env)!.value : undefined;
    const { request, result, messageId } = await resendDelivery({ log, original, url, profile, resignWith, clock: ctx.clock });
    renderOutcome(ctx.sink(options), {
      event: request.event ?? '(no event)',
      provider: profile.name,
      url: url.toString(),
      status: result.status,
      ok: result.ok,
      durationMs: Math.round(result.durationMs),
      id: messageId ?? request.id,
      ...(result.error ? { error: result.error } : {}),
      ...(result.body.length > 0 ? { bodyExcerpt: excerpt(result.body, result.truncated) } : {}),
    });
    return result.ok ? 0 : 1;
  } finally {
    await log.close();
  }
}
