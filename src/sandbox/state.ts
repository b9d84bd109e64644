import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

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

/** One event sent to one endpoint (or to the --deliver-as target), with every attempt. */
export interface SandboxDelivery {
  readonly id: string;
  /** The sandbox's id for the emitted event; sent only where the provider sends one (Koard's svix-id). */
  readonly eventId: string;
  readonly event: string;
  readonly provider: string;
  /** Endpoint id, or "target" for --deliver-as. */
  readonly endpointId: string;
  readonly url: string;
  readonly bodyBase64: string;
  state: DeliveryState;
  attempts: Attempt[];
  nextAttemptAt?: string | undefined;
  abandonedReason?: AbandonReason | undefined;
  readonly createdAt: string;
}

export interface SandboxData {
  endpoints: Endpoint[];
  deliveries: SandboxDelivery[];
  /** By endpoint id ("target" for --deliver-as); absent in files from older versions. */
  health?: Record<string, EndpointHealth>;
}

export const STATE_FILE = 'sandbox.json';

/** The sandbox's state, optionally persisted to <dir>/sandbox.json (atomic rename; mode 0600). */
export class SandboxState {
  readonly endpoints = new Map<string, Endpoint>();
  readonly deliveries = new Map<string, SandboxDelivery>();
  readonly health = new Map<string, EndpointHealth>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly dir: string | undefined) {}

  static async open(dir: string | undefined): Promise<SandboxState> {
    const state = new SandboxState(dir);
    if (!dir) return state;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    let text: string | undefined;
    try {
      text = await readFile(path.join(dir, STATE_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text !== undefined) {
      const data = JSON.parse(text) as SandboxData;
      for (const e of data.endpoints) state.endpoints.set(e.id, e);
      for (const d of data.deliveries) state.deliveries.set(d.id, d);
      for (const [id, h] of Object.entries(data.health ?? {})) state.health.set(id, h);
    }
    return state;
  }

  /** Persist the current state (writes are serialised; each one is whole). */
  save(): Promise<void> {
    const dir = this.dir;
    if (!dir) return Promise.resolve();
    const data: SandboxData = { endpoints: [...this.endpoints.values()], deliveries: [...this.deliveries.values()], health: Object.fromEntries(this.health) };
    this.writing = this.writing.then(async () => {
      const file = path.join(dir, STATE_FILE);
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, `${JSON.stringify(data)}\n`, { mode: 0o600 });
      await rename(tmp, file);
    });
    return this.writing;
  }
}
