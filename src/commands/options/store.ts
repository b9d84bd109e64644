import path from 'node:path';
import type { CliContext } from '../../context.js';
import { resolveStoreDir } from '../../store/location.js';

/** The store a command works on: --store, else $WEBHOOK_STORE, else config "store" (relative to the config's folder), else the state dir. */
export async function storeDirFor(ctx: CliContext, flag: string | undefined): Promise<string> {
  const { config, filepath } = await ctx.config();
  return resolveStoreDir({ flag, env: ctx.env, configStore: config.store, cwd: ctx.cwd, configDir: filepath ? path.dirname(filepath) : undefined });
}
