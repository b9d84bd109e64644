import type { CliContext } from '../../context.js';
import { ExitCode, UsageError } from '../../errors.js';
import { keysDir, loadOrCreateKeyPair } from '../../store/keys.js';
import { chooseProvider } from '../options/provider.js';
import type { KeysOptions } from './command.js';

/**
 * Print the public key of a provider's test key pair (made on first use), in the format the
 * app is configured with. The private key stays in the store.
 */
export async function runKeys(provider: string | undefined, options: KeysOptions, ctx: CliContext): Promise<number> {
  const profile = await chooseProvider(ctx, provider);
  const spec = profile.scheme.keyPair;
  if (!spec) {
    const { config } = await ctx.config();
    const { providerRegistry } = await import('../../providers/index.js');
    const asymmetric = [...providerRegistry(config).values()].filter((p) => p.scheme.keyPair).map((p) => p.name);
    throw new UsageError(`${profile.name} signs with a shared secret, not a key pair`, {
      hint: `keys apply to ${asymmetric.join(', ')}; for ${profile.name} set ${profile.secret.envVar} in your app and here`,
    });
  }
  const pair = loadOrCreateKeyPair(keysDir(ctx.env, ctx.cwd), profile.name, spec);
  const out = ctx.sink(options);
  if (out.json) {
    out.record({ provider: profile.name, publicKey: pair.publicKey, format: spec.publicKeyFormat, keyType: spec.type, privateKeyFile: pair.file, created: pair.created });
    return ExitCode.ok;
  }
  out.line(pair.publicKey);
  out.note(`${pair.created ? 'new ' : ''}${profile.displayName} test public key (${spec.publicKeyFormat}); configure your app with it to accept deliveries signed by \`webhook\`. Private key: ${pair.file}`);
  return ExitCode.ok;
}
