import type { CliContext } from '../../context.js';
import { getProvider, providerRegistry } from '../../providers/index.js';
import type { ProviderProfile } from '../../providers/types.js';
import { UsageError } from '../../errors.js';

/** The provider a command works with: --provider, else config's "provider". */
export async function chooseProvider(ctx: CliContext, flag: string | undefined): Promise<ProviderProfile> {
  const { config } = await ctx.config();
  const registry = providerRegistry(config);
  const name = flag ?? config.provider;
  if (!name) {
    throw new UsageError('no provider given', {
      hint: `pass --provider <name> (one of ${[...registry.keys()].join(', ')}) or set "provider" in webhook.config.json`,
    });
  }
  return getProvider(registry, name);
}
