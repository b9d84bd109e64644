import path from 'node:path';
import type { CliContext } from '../../context.js';
import type { DeliveryLog } from '../../store/delivery-log.js';
import { resolveStoreDir } from '../../store/location.js';

/** The store a command works on: --store, else $WEBHOOK_STORE, else config "store" (relative to the config's folder), else the state dir. */
export async function storeDirFor(ctx: CliContext, flag: string | undefined): Promise<string> {
  const { config, filepath } = await ctx.config();
  return resolveStoreDir({ flag, env: ctx.env, configStore: config.store, cwd: ctx.cwd, configDir: filepath ? path.dirname(filepath) : undefined });
}

/**
 * The store's log: read-only by default (any number of readers, also while `listen` writes);
 * `write` makes this command the store's one writer (refused while another holds it).
 */
export async function openStoreLog(ctx: CliContext, store: string | undefined, access: { write: string } | 'read' = 'read'): Promise<DeliveryLog> {
  const dir = await storeDirFor(ctx, store);
  // Loaded here, not at the top: commands that only need the store's folder (trigger) would
  // otherwise load the log's record schemas, and zod with them, at every start.
  const { openDeliveryLog } = await import('../../store/delivery-log.js');
  return openDeliveryLog(dir, access === 'read' ? { access: 'read' } : { access: 'write', command: access.write, now: new Date(ctx.clock.now()) });
}
