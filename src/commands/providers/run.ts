import type { CliContext } from '../../context.js';
import { listEvents } from '../../payloads/events.js';
import { providerRegistry } from '../../providers/index.js';
import { noun } from '../../quantity.js';
import { describeProvider } from '../../providers/describe.js';
import type { ProvidersOptions } from './command.js';
import { ExitCode } from '../../errors.js';

/** List the known providers with their scheme, headers and event count. */
export async function runProviders(options: ProvidersOptions, ctx: CliContext): Promise<number> {
  const { config } = await ctx.config();
  const out = ctx.sink(options);
  const rows = [];
  for (const profile of providerRegistry(config).values()) {
    rows.push(describeProvider(profile, await listEvents(profile, config, ctx.cwd)));
  }
  if (out.json) {
    for (const row of rows) out.record(row);
    return ExitCode.ok;
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const row of rows) {
    out.line(`${out.style.bold(row.name.padEnd(width))}  ${String(row.eventCount).padStart(3)} ${noun(row.eventCount, 'event').padEnd(6)}  ${row.scheme}${row.registrationApi ? out.style.cyan('  [registration API]') : ''}`);
  }
  return ExitCode.ok;
}
