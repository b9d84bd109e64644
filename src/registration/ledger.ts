import { randomBytes } from 'node:crypto';
import { writePrivateFile } from '../store/folder.js';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { processAlive } from '../process-alive.js';
import { schemaProblem } from '../untrusted-json.js';
import { deleteEndpoint, listEndpoints, ENDPOINT_MARKER, type PaykoreApi, type RegisteredEndpoint } from './paykore.js';

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

/** A ledger entry as read back: the file lives in the store (edited, planted, older), so it is checked, not cast. */
const ledgerEntrySchema = z.looseObject({
  id: z.string().min(1),
  apiBase: z.string(),
  url: z.string(),
  pid: z.number().int().positive(),
  createdAt: z.string(),
  secret: z.string().min(1).optional(),
});

/** The ledger's valid entries, and a line for each part skipped ("entry 2: pid: …"); a missing file is an empty ledger. */
export async function readLedgerChecked(storeDir: string): Promise<{ entries: LedgerEntry[]; problems: string[] }> {
  const file = path.join(storeDir, LEDGER_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { entries: [], problems: [] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { entries: [], problems: [`${file} is not JSON: ignored`] };
  }
  if (!Array.isArray(value)) return { entries: [], problems: [`${file} is not a list of endpoints: ignored`] };
  const entries: LedgerEntry[] = [];
  const problems: string[] = [];
  value.forEach((item: unknown, i) => {
    const parsed = ledgerEntrySchema.safeParse(item);
    if (parsed.success) entries.push(parsed.data);
    else problems.push(`${file}: entry ${i + 1} skipped (${schemaProblem(parsed.error, 'an endpoint entry')})`);
  });
  return { entries, problems };
}

/** The ledger's valid entries (invalid ones are left out; `readLedgerChecked` says which). */
export async function readLedger(storeDir: string): Promise<LedgerEntry[]> {
  return (await readLedgerChecked(storeDir)).entries;
}

async function writeLedger(storeDir: string, entries: readonly LedgerEntry[]): Promise<void> {
  await writePrivateFile(path.join(storeDir, LEDGER_FILE), `${JSON.stringify(entries, null, 2)}\n`);
}

export async function recordEndpoint(storeDir: string, entry: LedgerEntry): Promise<void> {
  await writeLedger(storeDir, [...(await readLedger(storeDir)).filter((e) => e.id !== entry.id), entry]);
}

export async function forgetEndpoint(storeDir: string, id: string): Promise<void> {
  await writeLedger(storeDir, (await readLedger(storeDir)).filter((e) => e.id !== id));
}

const STORE_ID_FILE = 'store-id';
const STORE_ID = /^[0-9a-f]{16}$/;

/** This store's id (random, kept in the store), or undefined when no session of it registered anything yet. */
async function readStoreId(storeDir: string): Promise<string | undefined> {
  const text = (await readFile(path.join(storeDir, STORE_ID_FILE), 'utf8').catch(() => '')).trim();
  return STORE_ID.test(text) ? text : undefined;
}

/** This store's id, made on first use: it tells this store's endpoints from a colleague's or another store's. */
export async function storeId(storeDir: string): Promise<string> {
  const existing = await readStoreId(storeDir);
  if (existing) return existing;
  await mkdir(storeDir, { recursive: true });
  const id = randomBytes(8).toString('hex');
  try {
    await writeFile(path.join(storeDir, STORE_ID_FILE), `${id}\n`, { flag: 'wx' });
    return id;
  } catch {
    // Another session made it first: use theirs.
    const made = await readStoreId(storeDir);
    if (!made) throw new Error(`cannot read ${path.join(storeDir, STORE_ID_FILE)}`);
    return made;
  }
}

/** The marker written into each endpoint's description: recognisable, names its store and its process. */
export const endpointDescription = (store: string, pid: number) => `${ENDPOINT_MARKER} (store ${store}, pid ${pid})`;

/** The store and pid a marker names; undefined for endpoints not marked by a store (older markers, other tools). */
function parseMarker(description: string | undefined): { store: string; pid: number } | undefined {
  if (!description?.startsWith(ENDPOINT_MARKER)) return undefined;
  const match = /\(store ([0-9a-f]{16}), pid (\d+)\)/.exec(description);
  return match ? { store: match[1]!, pid: Number(match[2]) } : undefined;
}

export interface StaleEndpoint {
  readonly id: string;
  readonly url: string;
  readonly why: string;
}

/**
 * Endpoints left behind by sessions of this store that died (kill -9, power loss): recorded in
 * this store's ledger with a dead pid, or carrying this store's marker with a dead pid at the
 * provider. Endpoints of other stores and hosts (a colleague on the same key) and endpoints kept
 * on purpose (--catch-up) are never stale.
 */
export async function findStale(api: PaykoreApi, storeDir: string, listed?: readonly RegisteredEndpoint[]): Promise<StaleEndpoint[]> {
  const ledger = (await readLedger(storeDir)).filter((e) => e.apiBase === api.apiBase);
  // Endpoints kept with their secret (--keep-endpoint, --catch-up) are never stale.
  const kept = new Set(ledger.filter((e) => e.secret !== undefined).map((e) => e.id));
  const ours = await readStoreId(storeDir);
  const stale = new Map<string, StaleEndpoint>();
  const remote = listed ?? (await listEndpoints(api).catch(() => undefined));
  for (const entry of ledger) {
    if (kept.has(entry.id) || processAlive(entry.pid)) continue;
    if (remote && !remote.some((r) => r.id === entry.id)) continue; // already gone
    stale.set(entry.id, { id: entry.id, url: entry.url, why: `registered by listen pid ${entry.pid}, which is no longer running` });
  }
  for (const endpoint of remote ?? []) {
    const marker = parseMarker(endpoint.description);
    if (!ours || marker?.store !== ours || processAlive(marker.pid) || stale.has(endpoint.id) || kept.has(endpoint.id)) continue;
    stale.set(endpoint.id, { id: endpoint.id, url: endpoint.url, why: `marked as registered by listen pid ${marker.pid} of this store, which is no longer running` });
  }
  return [...stale.values()];
}

/** Delete stale endpoints at the provider and forget them; returns what was removed. */
/** Delete these stale endpoints at the provider and forget them here. */
export async function deleteStale(api: PaykoreApi, storeDir: string, stale: readonly StaleEndpoint[]): Promise<StaleEndpoint[]> {
  for (const endpoint of stale) {
    await deleteEndpoint(api, endpoint.id).catch(() => undefined);
    await forgetEndpoint(storeDir, endpoint.id);
  }
  return [...stale];
}

/** Find this store's stale endpoints (given the provider's list when the caller has it) and delete them. */
export async function pruneStale(api: PaykoreApi, storeDir: string, listed?: readonly RegisteredEndpoint[]): Promise<StaleEndpoint[]> {
  return deleteStale(api, storeDir, await findStale(api, storeDir, listed));
}

/** With --catch-up: the newest endpoint a dead session of this store left, with its kept secret. */
export async function adoptable(api: PaykoreApi, storeDir: string, alive: (pid: number) => boolean = processAlive): Promise<LedgerEntry | undefined> {
  const candidates = (await readLedger(storeDir)).filter((e) => e.apiBase === api.apiBase && e.secret !== undefined && !alive(e.pid));
  return candidates.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
}
