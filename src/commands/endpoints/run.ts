import type { CliContext } from '../../context.js';
import { storeDirFor } from '../options/store.js';
import { askYesNo } from '../../output/ask.js';
import { ExitCode, UsageError } from '../../errors.js';
import { registrationApi } from '../options/registration.js';
import { processAlive } from '../../process-alive.js';
import { deleteStale, findStale, readLedger, readLedgerChecked } from '../../registration/ledger.js';
import { ENDPOINT_MARKER, listEndpoints } from '../../registration/paykore.js';
import { chooseProvider } from '../options/provider.js';
import type { EndpointsOptions } from './command.js';

export async function runEndpoints(action: string, options: EndpointsOptions, ctx: CliContext): Promise<number> {
  if (action !== 'list' && action !== 'prune') throw new UsageError(`unknown action "${action}"`, { hint: 'use `webhook endpoints list` or `webhook endpoints prune`' });
  const { config } = await ctx.config();
  const profile = await chooseProvider(ctx, options.provider ?? (config.provider ? undefined : 'paykore'));
  if (!profile.registration) throw new UsageError(`${profile.displayName} has no registration API`, { hint: profile.dashboardHint ? `endpoints are managed in ${profile.dashboardHint}` : 'only PayKore-style providers have one' });
  const api = registrationApi(options, profile, ctx.env);
  if (!api) throw new UsageError(`no API key: set ${profile.registration.apiKeyEnv}`, { hint: 'a test key looks like sk_test_...' });
  const storeDir = await storeDirFor(ctx, options.store);
  const out = ctx.sink(options);
  for (const problem of (await readLedgerChecked(storeDir)).problems) out.warn(problem);
  if (action === 'prune') {
    // Only this store's endpoints whose listen session is gone; listed first, then deleted (asked on a terminal).
    const stale = await findStale(api, storeDir);
    if (stale.length === 0) {
      if (!out.json) out.note('no stale endpoints of this store');
      return ExitCode.ok;
    }
    for (const e of stale) out.json ? out.record({ type: 'stale', ...e }) : out.line(`${e.id}  ${e.url}  (${e.why})`);
    if (ctx.mode.interactive && !out.json) {
      out.flush();
      if (!(await askYesNo(ctx.streams, `delete ${stale.length === 1 ? 'this endpoint' : `these ${stale.length} endpoints`} at ${profile.displayName}? (yes/no) `))) {
        out.note('nothing deleted');
        return ExitCode.ok;
      }
    }
    const removed = await deleteStale(api, storeDir, stale);
    for (const e of removed) if (out.json) out.record({ type: 'pruned', ...e });
    if (!out.json) out.note(`deleted ${removed.length} stale endpoint${removed.length === 1 ? '' : 's'}`);
    return ExitCode.ok;
  }
  const [remote, ledger] = await Promise.all([listEndpoints(api), readLedger(storeDir)]);
  const stale = await findStale(api, storeDir, remote);
  const staleIds = new Set(stale.map((e) => e.id));
  for (const endpoint of remote) {
    const mine = ledger.find((e) => e.id === endpoint.id);
    const state = staleIds.has(endpoint.id)
      ? 'stale'
      : mine && processAlive(mine.pid)
        ? `live (listen pid ${mine.pid})`
        : mine?.secret !== undefined
          ? 'kept for the next listen of this store'
          : endpoint.description?.startsWith(ENDPOINT_MARKER)
            ? 'webhook listen, another store or host'
            : 'not registered by webhook';
    if (out.json) out.record({ id: endpoint.id, url: endpoint.url, events: endpoint.events, state });
    else out.line(`${endpoint.id}  ${endpoint.url}  ${state}`);
  }
  if (!out.json && remote.length === 0) out.note('no endpoints registered');
  if (!out.json && stale.length > 0) out.note(`${stale.length} stale: run \`webhook endpoints prune\``);
  return ExitCode.ok;
}
