import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CliContext } from '../../context.js';
import { ExitCode, UsageError } from '../../errors.js';
import { parseHttpUrl } from '../../input.js';
import { chooseProvider } from '../options/provider.js';
import type { ProviderProfile } from '../../providers/types.js';
import type { InitOptions } from './command.js';

export const CONFIG_FILE = 'webhook.config.yaml';
export const FIXTURES_DIR = 'webhook-fixtures';

/** The commented config `webhook init` writes (YAML, so it can carry comments). */
export function configTemplate(profile: ProviderProfile, forwardTo: string): string {
  const apiKey = profile.registration ? `\n    # API key for endpoint registration by \`webhook listen\`, read from this variable.\n    apiKeyEnv: ${profile.registration.apiKeyEnv}` : '';
  return `# webhook config (every key is described in docs/config.md).
# Secrets never live here: each provider names the environment variable that holds them.

# Default provider for listen, trigger, replay and check (\`webhook providers\` lists them).
provider: ${profile.name}

# Your app's webhook endpoint: where listen forwards and trigger/replay send by default.
forwardTo: ${forwardTo}

# Your own fixtures (<provider>/<event>.json), searched before the built-in ones.
fixtures: ./${FIXTURES_DIR}

providers:
  ${profile.name}:
    # Webhook signing secret, read from this environment variable.
    secretEnv: ${profile.secret.envVar}${apiKey}

# listen:
#   port: 4242                      # receiver port (default: any free port)
#   events: [charge.success]        # only show/forward these
#   routes:                         # per-event targets (first match wins)
#     "transfer.*": http://localhost:4000/webhooks

# A provider of your own, described by its signature scheme:
#   acme:
#     secretEnv: ACME_WEBHOOK_SECRET
#     eventField: type
#     scheme: { header: x-acme-signature, algorithm: sha256, encoding: hex, prefix: "sha256=" }
`;
}

const EXAMPLE_EVENT = 'example.created';

/** An example fixture in the provider's envelope, showing templates and an expectation. */
export function exampleFixture(profile: ProviderProfile): string {
  const fixture = {
    $fixture: { expect: '2xx', event: EXAMPLE_EVENT },
    body: { [profile.name === 'koard' || profile.name === 'standard' ? 'type' : 'event']: EXAMPLE_EVENT, data: { id: '{{uuid}}', reference: '{{ref}}', amount: 5000, currency: 'NGN', created_at: '{{now}}' } },
  };
  return `${JSON.stringify(fixture, null, 2)}\n`;
}

async function writeNew(file: string, text: string, force: boolean): Promise<void> {
  try {
    await writeFile(file, text, { flag: force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UsageError(`${path.basename(file)} already exists`, { hint: 'keep it, or rerun with --force to overwrite it' });
    }
    throw error;
  }
}

/** Write a commented config and an example fixture folder into the current directory. */
export async function runInit(options: InitOptions, ctx: CliContext): Promise<number> {
  const profile = await chooseProvider(ctx, options.provider);
  const forwardTo = parseHttpUrl('--forward-to', options.forwardTo ?? 'http://localhost:3000/webhooks').toString();
  const configFile = path.join(ctx.cwd, CONFIG_FILE);
  const fixtureDir = path.join(ctx.cwd, FIXTURES_DIR, profile.name);
  const fixtureFile = path.join(fixtureDir, `${EXAMPLE_EVENT}.json`);
  await writeNew(configFile, configTemplate(profile, forwardTo), options.force === true);
  await mkdir(fixtureDir, { recursive: true });
  await writeNew(fixtureFile, exampleFixture(profile), options.force === true);
  const out = ctx.sink(options);
  const written = [configFile, fixtureFile].map((f) => path.relative(ctx.cwd, f));
  if (out.json) {
    out.record({ type: 'init', provider: profile.name, written });
  } else {
    for (const file of written) out.line(`wrote ${file}`);
    out.note(`next: export ${profile.secret.envVar}=<your secret>, then run \`webhook listen\` or \`webhook trigger <event>\``);
  }
  return ExitCode.ok;
}
