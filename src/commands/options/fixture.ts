import type { CliContext } from '../../context.js';
import { UsageError } from '../../errors.js';
import { parseJsonToEdit, parseSetFlag } from '../../json-text.js';
import type { FixtureOverrides } from '../../payloads/load.js';
import { systemTemplateSource, type TemplateSource } from '../../payloads/template.js';
import { readFileOrExplain } from '../../input.js';

/** Flags shared by commands that render a fixture (trigger, fixtures show). */
export interface FixtureFlags {
  fixtures?: string[] | undefined;
  set?: string[] | undefined;
  data?: string | undefined;
  bodyFile?: string | undefined;
}

/** Turn --set/--data/--body-file into overrides (reading the files once). */
export async function fixtureOverrides(flags: FixtureFlags): Promise<FixtureOverrides> {
  const set = flags.set ?? [];
  if (flags.bodyFile !== undefined && (set.length > 0 || flags.data !== undefined)) {
    throw new UsageError('--body-file sends its bytes verbatim, so it cannot be combined with --set or --data', { hint: 'edit the file instead, or drop --body-file' });
  }
  const overrides: { set?: Record<string, unknown>; data?: unknown; body?: Uint8Array } = {};
  if (set.length) overrides.set = Object.fromEntries(set.map(parseSetFlag).map(({ path, value }) => [path.join('.'), value]));
  if (flags.data !== undefined) overrides.data = parseJsonToEdit((await readFileOrExplain(flags.data, '--data file')).toString('utf8'), flags.data);
  if (flags.bodyFile !== undefined) overrides.body = await readFileOrExplain(flags.bodyFile, '--body-file');
  return overrides;
}

/** Template values for this run: crypto-random, time from the context's clock. */
export function templateSource(ctx: CliContext): TemplateSource {
  return systemTemplateSource(ctx.clock);
}
