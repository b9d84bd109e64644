import { LOOPBACK_HOSTS } from '../input.js';
import { adoptable, endpointDescription, forgetEndpoint, pruneStale, readLedger, readLedgerChecked, recordEndpoint, storeId, type LedgerEntry } from './ledger.js';
import { createEndpoint, deleteEndpoint, listDeliveries, listEndpoints, retryDelivery, updateEndpoint, type PaykoreApi } from './paykore.js';
import type { EndpointRegistrar, Registration, RegistrationContext } from './types.js';

/**
 * The endpoint a kept one (--catch-up, --keep-endpoint) can be adopted from, and a kept one that
 * was deleted at the provider meanwhile (forgotten here); stale endpoints of crashed sessions of
 * this store are pruned on the way.
 */
async function keptEndpoint(api: PaykoreApi, ctx: RegistrationContext): Promise<{ adopted?: LedgerEntry; gone?: LedgerEntry }> {
  let adopted = ctx.keep ? await adoptable(api, ctx.storeDir) : undefined;
  let gone: LedgerEntry | undefined;
  const listed = adopted ? await listEndpoints(api) : undefined;
  if (adopted && !listed!.some((e) => e.id === adopted!.id)) {
    // Deleted at the provider meanwhile (dashboard, a colleague): adopting it would receive nothing.
    gone = adopted;
    adopted = undefined;
    await forgetEndpoint(ctx.storeDir, gone.id);
  }
  // Endpoints left by a crashed session (kill -9, power loss) would point at a dead tunnel.
  for (const stale of await pruneStale(api, ctx.storeDir, listed)) {
    ctx.onEvent({ type: 'registration', state: 'pruned', endpointId: stale.id, url: stale.url, reason: stale.why });
  }
  return { ...(adopted ? { adopted } : {}), ...(gone ? { gone } : {}) };
}

/** Take over a kept endpoint: point it at `url` (PATCH: the same endpoint and secret). */
async function adopt(api: PaykoreApi, ctx: RegistrationContext, kept: LedgerEntry, url: string): Promise<Registration> {
  if (kept.url !== url) await updateEndpoint(api, kept.id, { url });
  await recordEndpoint(ctx.storeDir, { ...kept, url, pid: process.pid });
  const moved = kept.url !== url ? `, moved from ${kept.url}` : '';
  const reason = ctx.keep === 'catch-up' ? `kept by --catch-up since ${kept.createdAt}${moved}` : `the same endpoint and secret as the last session${moved}`;
  ctx.onEvent({ type: 'registration', state: 'adopted', endpointId: kept.id, url, reason });
  return { endpointId: kept.id, secret: kept.secret, adopted: true };
}

/** Register a new endpoint for `url`, recorded in the ledger (its secret too when it is to be kept). */
async function register(api: PaykoreApi, ctx: RegistrationContext, events: readonly string[] | undefined, url: string, gone: LedgerEntry | undefined): Promise<Registration> {
  const endpoint = await createEndpoint(api, { url, events, description: endpointDescription(await storeId(ctx.storeDir), process.pid) });
  await recordEndpoint(ctx.storeDir, { id: endpoint.id, apiBase: api.apiBase, url, pid: process.pid, createdAt: new Date(ctx.clock.now()).toISOString(), ...(ctx.keep && endpoint.secret ? { secret: endpoint.secret } : {}) });
  if (gone) {
    const reason = `the kept endpoint ${gone.id} no longer exists at ${ctx.provider}: registered ${endpoint.id} instead, with a new secret`;
    ctx.onEvent({ type: 'registration', state: 'replaced', endpointId: endpoint.id, url, replaced: gone.id, reason });
  } else ctx.onEvent({ type: 'registration', state: 'registered', endpointId: endpoint.id, url });
  return { endpointId: endpoint.id, secret: endpoint.secret, adopted: false };
}

/**
 * PayKore's endpoints API as a registrar: the ledger in the store remembers what this tool
 * registered, so a crashed session's endpoints are pruned and a kept one is adopted by the next.
 */
export function paykoreRegistrar(api: PaykoreApi, options: { readonly events?: readonly string[] | undefined } = {}): EndpointRegistrar {
  let ctx: RegistrationContext | undefined;
  let endpointId: string | undefined;
  let registeredUrl: string | undefined;
  return {
    reachesLoopback: LOOPBACK_HOSTS.has(new URL(api.apiBase).hostname),
    async start(url, context) {
      ctx = context;
      for (const message of (await readLedgerChecked(context.storeDir)).problems) context.onEvent({ type: 'warning', message });
      const { adopted, gone } = await keptEndpoint(api, context);
      const registration = adopted ? await adopt(api, context, adopted, url) : await register(api, context, options.events, url, gone);
      endpointId = registration.endpointId;
      registeredUrl = url;
      return registration;
    },
    async moved(url) {
      if (!ctx || !endpointId || url === registeredUrl) return;
      const previous = registeredUrl;
      await updateEndpoint(api, endpointId, { url });
      registeredUrl = url;
      const entry = (await readLedger(ctx.storeDir)).find((e) => e.id === endpointId);
      if (entry) await recordEndpoint(ctx.storeDir, { ...entry, url });
      ctx.onEvent({ type: 'registration', state: 'updated', endpointId, url, reason: `the tunnel URL changed from ${previous}` });
    },
    async stop() {
      const id = endpointId;
      endpointId = undefined;
      if (!ctx || !id) return;
      const { onEvent } = ctx;
      if (ctx.keep === 'catch-up') return onEvent({ type: 'registration', state: 'kept', endpointId: id, reason: 'kept for --catch-up: deliveries made while listen is down are retried when it comes back' });
      if (ctx.keep) return onEvent({ type: 'registration', state: 'kept', endpointId: id, reason: 'kept by --keep-endpoint: the next listen reuses this endpoint and its secret' });
      try {
        await deleteEndpoint(api, id);
        await forgetEndpoint(ctx.storeDir, id);
        onEvent({ type: 'registration', state: 'deleted', endpointId: id });
      } catch (error) {
        onEvent({ type: 'registration', state: 'failed', endpointId: id, reason: `could not delete endpoint ${id}: ${(error as Error).message}` });
      }
    },
    async catchUp(around) {
      if (!ctx || !endpointId) return;
      const { onEvent } = ctx;
      for (const d of await listDeliveries(api, endpointId)) {
        if (d.state !== 'retrying' && d.state !== 'abandoned') continue;
        await around(async () => {
          await retryDelivery(api, d.id);
          onEvent({ type: 'catch-up', delivery: d.id, event: d.event, state: 'retried' });
        });
      }
    },
  };
}
