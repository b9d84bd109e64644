import path from 'node:path';
import envPaths from 'env-paths';

/**
 * Where the durable log and the session file live: --store, else $WEBHOOK_STORE, else config
 * "store" (relative to the config's folder or cwd), else the user's state dir (…/webhook/default).
 */
export function resolveStoreDir(input: { flag?: string | undefined; env: NodeJS.ProcessEnv; configStore?: string | undefined; cwd: string; configDir?: string | undefined }): string {
  const given = input.flag ?? (input.env.WEBHOOK_STORE || undefined);
  if (given) return path.resolve(input.cwd, given);
  if (input.configStore) return path.resolve(input.configDir ?? input.cwd, input.configStore);
  return path.join(envPaths('webhook', { suffix: '' }).data, 'default');
}
