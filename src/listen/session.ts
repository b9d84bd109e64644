import { readFile, rm, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';

/**
 * A running `listen` session, written to <store>/session.json (mode 0600) while it runs and
 * removed on exit. It never holds a webhook secret: `trigger` asks the session to sign and
 * inject a delivery through its control endpoint, authenticated by `token`.
 */
export interface SessionInfo {
  readonly pid: number;
  readonly provider: string;
  /** Receiver URL on loopback, e.g. http://127.0.0.1:41234 */
  readonly localUrl: string;
  readonly publicUrl?: string;
  readonly forwardTo: string;
  /** POST {controlUrl}/inject with header x-webhook-session-token: token. */
  readonly controlUrl: string;
  readonly token: string;
  readonly startedAt: string;
}

/** Body of POST {controlUrl}/inject. */
export interface InjectRequest {
  readonly event: string;
  /** The exact body bytes to sign and deliver, base64. */
  readonly bodyBase64: string;
  /** Source recorded in the log ("trigger" by default). */
  readonly source?: 'trigger' | 'replay' | 'resend';
  readonly replayOf?: string;
}

/** Answer of POST {controlUrl}/inject: the delivery as recorded, with the app's answer. */
export interface InjectResponse {
  /** The delivery id in the session's log. */
  readonly id: string;
  /** The provider's own id for it, when it carries one. */
  readonly messageId?: string;
  readonly provider: string;
  readonly url: string;
  readonly status?: number;
  readonly ok: boolean;
  readonly durationMs: number;
  readonly error?: { readonly kind: string; readonly message: string };
  readonly bodyExcerpt?: string;
}

export const SESSION_FILE = 'session.json';
export const SESSION_TOKEN_HEADER = 'x-webhook-session-token';

export async function writeSession(storeDir: string, info: SessionInfo): Promise<void> {
  const file = path.join(storeDir, SESSION_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}

export async function removeSession(storeDir: string, pid: number): Promise<void> {
  const current = await readSessionFile(storeDir);
  if (current?.pid === pid) await rm(path.join(storeDir, SESSION_FILE), { force: true });
}

async function readSessionFile(storeDir: string): Promise<SessionInfo | undefined> {
  try {
    return JSON.parse(await readFile(path.join(storeDir, SESSION_FILE), 'utf8')) as SessionInfo;
  } catch {
    return undefined;
  }
}

/** Is a process with this pid running (EPERM: yes, but not ours)? */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running session in this store, if its process is still alive (a stale file is ignored). */
export async function readSession(storeDir: string): Promise<SessionInfo | undefined> {
  const info = await readSessionFile(storeDir);
  return info && processAlive(info.pid) ? info : undefined;
}
