import { readFile, rename, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { printable } from '../output/printable.js';
import { ensurePrivateFolder, openStoreFile, writePrivateFile } from '../store/folder.js';

/** A registered endpoint (PayKore's webhook object). The secret signs its deliveries. */
export interface Endpoint {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly secret: string;
  readonly status: 'active';
  readonly createdAt: string;
  readonly description?: string | undefined;
  /** sha256 of the API key that created it: endpoints are scoped to a key, the key is never stored. */
  readonly owner: string;
}

export interface Attempt {
  readonly attempt: number;
  readonly at: string;
  readonly status?: number | undefined;
  readonly durationMs: number;
  readonly error?: string | undefined;
  readonly manual?: boolean | undefined;
}

export type DeliveryState = 'pending' | 'retrying' | 'succeeded' | 'abandoned';

/** Why a delivery was abandoned: its schedule ran out, or its endpoint was disabled (Koard). */
export type AbandonReason = 'retries exhausted' | 'endpoint disabled';

/** How an endpoint is doing: since when every attempt to it has failed, and whether that disabled it. */
export interface EndpointHealth {
  /** The first failure of the current run of failures (a success ends the run). */
  failingSince?: string | undefined;
  disabledAt?: string | undefined;
}

/** One emitted event: its body is kept once, whatever the number of deliveries and attempts. */
export interface SandboxEvent {
  /** The sandbox's id for the emitted event; sent only where the provider sends one (Koard's svix-id). */
  readonly id: string;
  readonly event: string;
  readonly provider: string;
  readonly body: Buffer;
  readonly createdAt: string;
}

/** One event sent to one endpoint (or to the --deliver-as target), with every attempt. Its body is its event's. */
export interface SandboxDelivery {
  readonly id: string;
  /** The emitted event (SandboxState.events): its body is what every attempt sends. */
  readonly eventId: string;
  readonly event: string;
  readonly provider: string;
  /** Endpoint id, or "target" for --deliver-as. */
  readonly endpointId: string;
  readonly url: string;
  state: DeliveryState;
  attempts: Attempt[];
  nextAttemptAt?: string | undefined;
  abandonedReason?: AbandonReason | undefined;
  readonly createdAt: string;
}

const endpointSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()).readonly(),
  secret: z.string(),
  status: z.literal('active'),
  createdAt: z.string(),
  description: z.string().optional(),
  owner: z.string(),
});
const attemptSchema = z.object({
  attempt: z.number().int(),
  at: z.string(),
  status: z.number().int().optional(),
  durationMs: z.number(),
  error: z.string().optional(),
  manual: z.boolean().optional(),
});
const deliverySchema = z.object({
  id: z.string(),
  eventId: z.string(),
  event: z.string(),
  provider: z.string(),
  endpointId: z.string(),
  url: z.string(),
  /** Files from older versions kept a copy of the body in every delivery. */
  bodyBase64: z.string().optional(),
  state: z.enum(['pending', 'retrying', 'succeeded', 'abandoned']),
  attempts: z.array(attemptSchema),
  nextAttemptAt: z.string().optional(),
  abandonedReason: z.enum(['retries exhausted', 'endpoint disabled']).optional(),
  createdAt: z.string(),
});
const healthSchema = z.object({ failingSince: z.string().optional(), disabledAt: z.string().optional() });
const eventSchema = z.object({ id: z.string(), event: z.string(), provider: z.string(), bodyBase64: z.string(), createdAt: z.string() });
const snapshotSchema = z.object({
  endpoints: z.array(endpointSchema),
  events: z.array(eventSchema).default([]),
  deliveries: z.array(deliverySchema),
  health: z.record(z.string(), healthSchema).optional(),
});
/** One line of the journal: a record as it is now, or its removal. */
const changeSchema = z.discriminatedUnion('change', [
  z.object({ change: z.literal('endpoint'), endpoint: endpointSchema }),
  z.object({ change: z.literal('endpoint-removed'), id: z.string() }),
  z.object({ change: z.literal('event'), event: eventSchema }),
  z.object({ change: z.literal('delivery'), delivery: deliverySchema }),
  z.object({ change: z.literal('health'), id: z.string(), health: healthSchema.nullable() }),
]);
type Change = z.input<typeof changeSchema>;

const STATE_FILE = 'sandbox.json';
const JOURNAL_FILE = 'sandbox.journal';
/** The journal is folded into the snapshot while running once it is over this size and twice the snapshot's. */
const COMPACT_AFTER_BYTES = 1024 * 1024;

/** The first problem zod found, in a few words: `deliveries.0.state: Invalid option`. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'top level'}: ${issue.message}` : 'invalid';
}

/**
 * The sandbox's state, optionally persisted in a folder: `sandbox.json` (a whole snapshot, written
 * to a temporary file and renamed, mode 0600) and `sandbox.journal` (one line per change since
 * that snapshot, appended). A change costs one small append whatever the number of endpoints or
 * deliveries; the journal is folded into a new snapshot when the sandbox starts and stops, and
 * when it outgrows both 1 MiB and twice the snapshot.
 * The folder must be private (see ensurePrivateFolder); files are opened without following links.
 * Both files are checked against a schema when read: a bad snapshot is set aside and reported, a
 * bad journal line skipped and reported; neither stops the sandbox.
 */
export class SandboxState {
  readonly endpoints = new Map<string, Endpoint>();
  readonly events = new Map<string, SandboxEvent>();
  readonly deliveries = new Map<string, SandboxDelivery>();
  readonly health = new Map<string, EndpointHealth>();
  private journal: FileHandle | undefined;
  private writing: Promise<void> = Promise.resolve();
  private writeFailed = false;
  /** Bytes in the journal, and in the snapshot last written: the journal is folded in when it outgrows both. */
  private journalBytes = 0;
  private snapshotBytes = 0;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly dir: string | undefined,
    private readonly warn: (text: string) => void,
  ) {}

  /** Load the folder's state (if any) and start a fresh journal; `warn` hears about what was unreadable. */
  static async open(dir: string | undefined, warn: (text: string) => void = () => {}): Promise<SandboxState> {
    const state = new SandboxState(dir, warn);
    if (!dir) return state;
    // It holds every endpoint's signing secret: a folder only this user can write, as the delivery store.
    await ensurePrivateFolder(dir);
    const file = path.join(dir, STATE_FILE);
    const text = await readIfThere(file);
    if (text !== undefined) {
      let problem: string | undefined;
      try {
        const parsed = snapshotSchema.safeParse(JSON.parse(text));
        if (parsed.success) state.load(parsed.data);
        else problem = firstIssue(parsed.error);
      } catch (error) {
        problem = (error as Error).message;
      }
      if (problem !== undefined) {
        const aside = `${file}.invalid`;
        await rename(file, aside);
        // The problem can quote the file (a key, a snippet): shown with control characters escaped.
        warn(`${file} is not a valid sandbox state (${printable(problem)}); starting empty, the file was moved to ${aside}`);
      }
    }
    const journal = path.join(dir, JOURNAL_FILE);
    const lines = (await readIfThere(journal))?.split('\n') ?? [];
    let skipped = 0;
    for (const [i, line] of lines.entries()) {
      if (line === '') continue;
      try {
        const parsed = changeSchema.safeParse(JSON.parse(line));
        if (parsed.success) state.apply(parsed.data);
        else skipped += 1;
      } catch {
        // A torn last line is what a crash in the middle of an append leaves: expected, not reported.
        if (i !== lines.length - 1) skipped += 1;
      }
    }
    if (skipped > 0) warn(`${journal}: skipped ${skipped} unreadable change${skipped === 1 ? '' : 's'}`);
    await state.compact();
    state.journal = await openStoreFile(journal, 'append');
    return state;
  }

  private load(data: z.output<typeof snapshotSchema>): void {
    for (const e of data.endpoints) this.endpoints.set(e.id, e);
    for (const e of data.events) this.events.set(e.id, { ...e, body: Buffer.from(e.bodyBase64, 'base64') });
    for (const d of data.deliveries) this.putDeliveryRecord(d);
    for (const [id, h] of Object.entries(data.health ?? {})) this.health.set(id, h);
  }

  private apply(change: z.output<typeof changeSchema>): void {
    switch (change.change) {
      case 'endpoint':
        this.endpoints.set(change.endpoint.id, change.endpoint);
        break;
      case 'endpoint-removed':
        this.endpoints.delete(change.id);
        this.health.delete(change.id);
        break;
      case 'event':
        this.events.set(change.event.id, { ...change.event, body: Buffer.from(change.event.bodyBase64, 'base64') });
        break;
      case 'delivery':
        this.putDeliveryRecord(change.delivery);
        break;
      case 'health':
        if (change.health) this.health.set(change.id, change.health);
        else this.health.delete(change.id);
    }
  }

  /** A delivery as read; one from an older file brings its own copy of the body, kept once as its event's. */
  private putDeliveryRecord(record: z.output<typeof deliverySchema>): void {
    const { bodyBase64, ...delivery } = record;
    if (bodyBase64 !== undefined && !this.events.has(delivery.eventId)) {
      this.events.set(delivery.eventId, { id: delivery.eventId, event: delivery.event, provider: delivery.provider, body: Buffer.from(bodyBase64, 'base64'), createdAt: delivery.createdAt });
    }
    this.deliveries.set(delivery.id, delivery);
  }

  /** The bytes every attempt of this delivery sends (undefined only for a state file that lost its event). */
  bodyOf(delivery: SandboxDelivery): Buffer | undefined {
    return this.events.get(delivery.eventId)?.body;
  }

  putEndpoint(endpoint: Endpoint): Promise<void> {
    this.endpoints.set(endpoint.id, endpoint);
    return this.record({ change: 'endpoint', endpoint });
  }

  removeEndpoint(id: string): Promise<void> {
    this.endpoints.delete(id);
    this.health.delete(id);
    return this.record({ change: 'endpoint-removed', id });
  }

  putEvent(event: SandboxEvent): Promise<void> {
    this.events.set(event.id, event);
    const { body, ...rest } = event;
    return this.record({ change: 'event', event: { ...rest, bodyBase64: body.toString('base64') } });
  }

  /** Record a delivery as it is now (after a change to its state or attempts). */
  putDelivery(delivery: SandboxDelivery): Promise<void> {
    this.deliveries.set(delivery.id, delivery);
    return this.record({ change: 'delivery', delivery });
  }

  setHealth(id: string, health: EndpointHealth | undefined): Promise<void> {
    if (health) this.health.set(id, health);
    else this.health.delete(id);
    return this.record({ change: 'health', id, health: health ?? null });
  }

  /**
   * Append one change to the journal (appends are serialised). Never rejects: a failed write is
   * reported once and the sandbox goes on with its state in memory.
   */
  private record(change: Change): Promise<void> {
    if (!this.dir || this.closing) return this.writing;
    const line = `${JSON.stringify(change)}\n`;
    this.writing = this.writing.then(async () => {
      if (this.writeFailed || !this.journal) return;
      try {
        await this.journal.appendFile(line);
        this.journalBytes += Buffer.byteLength(line);
        // Folding in costs one snapshot per journal at least twice its size: O(1) per change, amortised.
        if (this.journalBytes > Math.max(COMPACT_AFTER_BYTES, 2 * this.snapshotBytes)) {
          await this.journal.close();
          this.journal = undefined;
          await this.compact();
          this.journal = await openStoreFile(path.join(this.dir!, JOURNAL_FILE), 'append');
        }
      } catch (error) {
        this.writeFailed = true;
        this.warn(`cannot write ${path.join(this.dir!, JOURNAL_FILE)} (${(error as Error).message}); changes from now on are kept in memory only`);
      }
    });
    return this.writing;
  }

  /** Write the whole state as a new snapshot (atomically), then empty the journal it now contains. */
  private async compact(): Promise<void> {
    const dir = this.dir!;
    const data = {
      endpoints: [...this.endpoints.values()],
      events: [...this.events.values()].map(({ body, ...rest }) => ({ ...rest, bodyBase64: body.toString('base64') })),
      deliveries: [...this.deliveries.values()],
      health: Object.fromEntries(this.health),
    };
    const text = `${JSON.stringify(data)}\n`;
    await writePrivateFile(path.join(dir, STATE_FILE), text);
    // Replaying a journal onto the snapshot that already holds it changes nothing, so a crash here is harmless.
    const journal = await openStoreFile(path.join(dir, JOURNAL_FILE), 'append');
    await journal.truncate(0).finally(() => journal.close());
    this.snapshotBytes = Buffer.byteLength(text);
    this.journalBytes = 0;
  }

  /** Finish pending appends and fold the journal into the snapshot; idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (!this.dir) return;
      await this.writing;
      await this.journal?.close();
      this.journal = undefined;
      if (!this.writeFailed) await this.compact();
    })();
    return this.closing;
  }
}

async function readIfThere(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return undefined;
  }
}
