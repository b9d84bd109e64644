import { readFile, rm } from 'node:fs/promises';
import { writePrivateFile } from '../store/folder.js';
import path from 'node:path';
import { probeConnection } from '../delivery/reachable.js';
import { processAlive } from '../process-alive.js';
import { parseUntrustedJson } from '../untrusted-json.js';
import { sessionSchemas, type SessionInfo } from '../session-protocol.js';

/** The session file: <store>/session.json while a `listen` runs (its shape: SessionInfo in session-protocol.ts). */
export const SESSION_FILE = 'session.json';

async function writeSession(storeDir: string, info: SessionInfo): Promise<void> {
  await writePrivateFile(path.join(storeDir, SESSION_FILE), `${JSON.stringify(info, null, 2)}\n`);
}

async function removeSession(storeDir: string, pid: number): Promise<void> {
  const current = await readSessionFile(storeDir);
  if (current && 'info' in current && current.info.pid === pid) await rm(path.join(storeDir, SESSION_FILE), { force: true });
}

/** The session file part of `listen`: written at start for `trigger` to find, removed at stop (when it is still this session's). */
export async function publishSession(storeDir: string, info: SessionInfo): Promise<{ stop(): Promise<void> }> {
  await writeSession(storeDir, info);
  return { stop: () => removeSession(storeDir, info.pid) };
}

type SessionFileRead = { readonly info: SessionInfo } | { readonly problem: string } | undefined;

async function readSessionFile(storeDir: string): Promise<SessionFileRead> {
  let text: string;
  try {
    text = await readFile(path.join(storeDir, SESSION_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const read = parseUntrustedJson((await sessionSchemas()).sessionInfo, text, 'a session');
  return 'value' in read ? { info: read.value } : read;
}

/**
 * What the store's session file says: a live session, one that is gone (`kill -9`, a crash), none,
 * or a file that is not a session at all (`invalid`: why; treated as no session, and left in place).
 */
export type SessionLookup =
  | { readonly live: SessionInfo; readonly gone?: undefined; readonly invalid?: undefined }
  | { readonly live?: undefined; readonly gone: SessionInfo; readonly invalid?: undefined }
  | { readonly live?: undefined; readonly gone?: undefined; readonly invalid: string }
  | { readonly live?: undefined; readonly gone?: undefined; readonly invalid?: undefined };

/** The line that reports an unreadable session file (the lookup's `invalid`). */
export const invalidSessionNote = (storeDir: string, problem: string) =>
  `ignored ${path.join(storeDir, SESSION_FILE)}: it is not a listen session file (${problem}); a new \`webhook listen\` replaces it`;

/**
 * Find the session `trigger` can send into. A session whose process is gone, or whose control
 * port refuses connections (the pid was reused, or the process is a zombie), is gone: its stale
 * file is removed, and it is returned as `gone` so the caller can say so.
 */
export async function findSession(storeDir: string): Promise<SessionLookup> {
  const read = await readSessionFile(storeDir);
  if (!read) return {};
  if ('problem' in read) return { invalid: read.problem };
  const { info } = read;
  const answers = processAlive(info.pid) && (await probeConnection(new URL(info.controlUrl), 2_000)) === undefined;
  if (answers) return { live: info };
  await removeSession(storeDir, info.pid).catch(() => undefined);
  return { gone: info };
}
