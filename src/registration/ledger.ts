import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { processAlive } from '../listen/session.js';
import { deleteEndpoint, listEndpoints, ENDPOINT_MARKER, type PaykoreApi } from './paykore.js';

/** Endpoints this tool registered from this store, so a crashed session's endpoint can be found and removed. */
export interface LedgerEntry {
  readonly id: string;
  readonly apiBase: string;
  readonly url: string;
  readonly pid: number;
  readonly createdAt: string;
  /** Kept only with `listen --catch-up` (the user's choice), so a restarted session can adopt the endpoint. */
  readonly secret?: string;
}

export const LEDGER_FILE = 'endpoints.json';

export async function readLedger(storeDir: string): Promise<LedgerEntry[]> {
  try {
    return JSON.parse(await readFile(path.join(storeDir, LEDGER_FILE), 'utf8')) as LedgerEntry[];
  } catch {
    return [];
  }
}

async function writeLedger(storeDir: string, entries: readonly LedgerEntry[]): Promise<void> {
  const file = path.join(storeDir, LEDGER_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(entries, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}

export async function recordEndpoint(storeDir: string, entry: LedgerEntry): Promise<void> {
  await writeLedger(storeDir, [...(await readLedger(storeDir)).filter((e) => e.id !== entry.id), entry]);
}

export async function forgetEndpoint(storeDir: string, id: string): Promise<void> {
  await writeLedger(storeDir, (await readLedger(storeDir)).filter((e) => e.id !== id));
}

/** The marker written into each endpoint's description: recognisable, and names its process. */
export const endpointDescription = (pid: number) => `${ENDPOINT_MARKER} (pid ${pid})`;

export interface StaleEndpoint {
  readonly id: string;
  readonly url: string;
  readonly why: string;
}

/**
 * Endpoints left behind by sessions that died (kill -9, power loss): recorded in this store's
 * ledger with a dead pid, or carrying our marker with a dead pid at the provider.
 */
export async function findStale(api: PaykoreApi, storeDir: string, alive: (pid: number) => boolean = processAlive, keep: ReadonlySet<string> = new Set()): Promise<StaleEndpoint[]> {
  const ledger = (await readLedger(storeDir)).filter((e) => e.apiBase === api.apiBase && !keep.has(e.id));
  const stale = new Map<string, StaleEndpoint>();
  const remote = await listEndpoints(api).catch(() => undefined);
  for (const entry of ledger) {
    if (alive(entry.pid)) continue;
    if (remote && !remote.some((r) => r.id === entry.id)) continue; // already gone
    stale.set(entry.id, { id: entry.id, url: entry.url, why: `registered by listen pid ${entry.pid}, which is no longer running` });
  }
  for (const endpoint of remote ?? []) {
    const pid = Number(/\(pid (\d+)\)/.exec(endpoint.description ?? '')?.[1]);
    if (endpoint.description?.startsWith(ENDPOINT_MARKER) && Number.isInteger(pid) && !alive(pid) && !stale.has(endpoint.id) && !keep.has(endpoint.id)) {
      stale.set(endpoint.id, { id: endpoint.id, url: endpoint.url, why: `marked as registered by listen pid ${pid}, which is no longer running` });
    }
  }
  return [...stale.values()];
}

/** Delete stale endpoints at the provider and forget them; returns what was removed. */
export async function pruneStale(api: PaykoreApi, storeDir: string, alive?: (pid: number) => boolean, keep?: ReadonlySet<string>): Promise<StaleEndpoint[]> {
  const stale = await findStale(api, storeDir, alive, keep);
  for (const endpoint of stale) {
    await deleteEndpoint(api, endpoint.id).catch(() => undefined);
    await forgetEndpoint(storeDir, endpoint.id);
  }
  return stale;
}

/** With --catch-up: the newest endpoint a dead session of this store left, with its kept secret. */
export async function adoptable(api: PaykoreApi, storeDir: string, alive: (pid: number) => boolean = processAlive): Promise<LedgerEntry | undefined> {
  const candidates = (await readLedger(storeDir)).filter((e) => e.apiBase === api.apiBase && e.secret !== undefined && !alive(e.pid));
  return candidates.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
}
