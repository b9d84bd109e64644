import path from 'node:path';
import type { CliContext } from '../context.js';
import { BUILTIN_FIXTURES_DIR } from '../fixtures/catalog.js';
import { fixtureFiles } from '../fixtures/events.js';
import { describeExpectation } from '../fixtures/expect.js';
import { readFixtureFile } from '../fixtures/load.js';
import { resolveEvent } from '../fixtures/resolve.js';
import { getProvider, providerRegistry } from '../providers/index.js';
import { UsageError } from '../errors.js';
import { fixtureOverrides, templateSource, type FixtureFlags } from './fixture-options.js';

export interface FixturesOptions {
  provider?: string | undefined;
  fixtures?: string[] | undefined;
  json?: boolean | undefined;
}

/** List every provider's events (or one provider's) with the file each comes from. */
export async function runFixtures(options: FixturesOptions, ctx: CliContext): Promise<number> {
  const { config } = await ctx.config();
  const registry = providerRegistry(config);
  const profiles = options.provider ? [getProvider(registry, options.provider)] : [...registry.values()];
  const out = ctx.sink(options);
  const rows: { provider: string; event: string; file: string | null; builtin: boolean }[] = [];
  for (const profile of profiles) {
    const files = await fixtureFiles(profile, config, ctx.cwd, options.fixtures ?? []);
    const events = new Set([...files.keys(), ...(profile.declaredEvents ?? [])]);
    for (const event of [...events].sort()) {
      const file = files.get(event);
      rows.push({ provider: profile.name, event, file: file ?? null, builtin: file?.startsWith(BUILTIN_FIXTURES_DIR + path.sep) ?? false });
    }
  }
  if (out.json) {
    for (const row of rows) out.record(row);
    return 0;
  }
  if (rows.length === 0) {
    out.note(`no fixtures found${options.provider ? ` for ${options.provider}` : ''}: add <dir>/<provider>/<event>.json and pass --fixtures <dir>`);
    return 0;
  }
  const width = Math.max(...rows.map((r) => r.provider.length));
  const eventWidth = Math.max(...rows.map((r) => r.event.length));
  for (const row of rows) {
    const where = row.builtin ? out.style.dim('built-in') : row.file ? out.style.cyan(path.relative(ctx.cwd, row.file) || row.file) : out.style.yellow('declared in config, no fixture file');
    out.line(`${row.provider.padEnd(width)}  ${row.event.padEnd(eventWidth)}  ${where}`);
  }
  return 0;
}

export interface FixturesShowOptions extends FixtureFlags {
  provider?: string | undefined;
  json?: boolean | undefined;
}

/** Print one fixture's body as it would be sent (templates filled, overrides applied). */
export async function runFixturesShow(event: string, options: FixturesShowOptions, ctx: CliContext): Promise<number> {
  const { config } = await ctx.config();
  const choice = await resolveEvent({ event, provider: options.provider ?? config.provider, config, cwd: ctx.cwd, fixtures: options.fixtures ?? [] });
  if (!choice.file) throw new UsageError(`${choice.profile.name} event "${event}" has no fixture file`, { hint: `write one as <your fixtures dir>/${choice.profile.name}/${event}.json` });
  const fixture = await readFixtureFile(choice.file, templateSource(ctx), await fixtureOverrides(options));
  const out = ctx.sink(options);
  const body = Buffer.from(fixture.body);
  if (out.json) {
    out.record({ provider: choice.profile.name, event: fixture.event, file: choice.file, body: body.toString('utf8'), ...(fixture.meta.expect ? { expect: describeExpectation(fixture.meta.expect) } : {}) });
    return 0;
  }
  ctx.streams.stdout.write(body);
  if (ctx.streams.stdout.isTTY && body.at(-1) !== 0x0a) ctx.streams.stdout.write('\n');
  return 0;
}
