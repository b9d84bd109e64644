import type { CliContext } from '../../context.js';
import { loadProvider, providerNames } from '../../providers/load.js';
import type { ProviderProfile } from '../../providers/types.js';
import { UsageError } from '../../errors.js';

/** The provider a command works with: --provider, else config's "provider" (its profile alone is loaded). */
export async function chooseProvider(ctx: CliContext, flag: string | undefined): Promise<ProviderProfile> {
  const { config } = await ctx.config();
  const name = flag ?? config.provider;
  if (!name) {
    throw new UsageError('no provider given', {
      hint: `pass --provider <name> (one of ${providerNames(config).join(', ')}) or set "provider" in webhook.config.json`,
    });
  }
  return loadProvider(name, config);
}
