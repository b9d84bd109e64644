import { readFile, rm } from 'node:fs/promises';
import { writePrivateFile } from '../store/folder.js';
import path from 'node:path';
import type { z } from 'zod';
import { probeConnection } from '../delivery/reachable.js';
import { processAlive } from '../process-alive.js';
import { parseUntrustedJson } from '../untrusted-json.js';


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
  /** listen --events: only these event types are forwarded (absent: all). */
  readonly events?: readonly string[];
}

/** Body of POST {controlUrl}/inject. */
export interface InjectRequest {
  readonly event: string;
  /** The exact body bytes to sign and deliver, base64. */
  readonly bodyBase64: string;
  /** Source recorded in the log ("trigger" by default). */
  readonly source?: 'trigger' | 'replay' | 'resend';
  readonly replayOf?: string;
  /** Sign with this message id instead of a fresh one (trigger --duplicate sends one id twice). */
  readonly id?: string;
  /** Send with these headers, unsigned by the session (an unchanged `resend`: the recorded ones). */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
}

/** Read a POST /inject body (it comes from another process): the shape is checked, not assumed. */
export function parseInjectRequest(text: string): InjectRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('the inject request is not JSON');
  }
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const optionalString = (key: string) => v[key] === undefined || typeof v[key] === 'string';
  if (typeof v.event !== 'string' || typeof v.bodyBase64 !== 'string' || !optionalString('replayOf') || !optionalString('id') || !(v.source === undefined || v.source === 'trigger' || v.source === 'replay' || v.source === 'resend')) {
    throw new Error('the inject request needs "event" and "bodyBase64" strings (and optional "source", "replayOf", "id")');
  }
  const headers = v.headers;
  const headerValue = (h: unknown) => typeof h === 'string' || (Array.isArray(h) && h.every((x) => typeof x === 'string'));
  if (headers !== undefined && (typeof headers !== 'object' || headers === null || Array.isArray(headers) || !Object.values(headers).every(headerValue))) {
    throw new Error('the inject request\'s "headers" must map names to strings or lists of strings');
  }
  return {
    event: v.event,
    bodyBase64: v.bodyBase64,
    ...(v.source !== undefined ? { source: v.source as NonNullable<InjectRequest['source']> } : {}),
    ...(typeof v.replayOf === 'string' ? { replayOf: v.replayOf } : {}),
    ...(typeof v.id === 'string' && v.id !== '' ? { id: v.id } : {}),
    ...(headers !== undefined ? { headers: headers as Record<string, string | string[]> } : {}),
  };
}

/** Answer of POST {controlUrl}/inject: the delivery as recorded, with the app's answer. */
export interface InjectResponse {
  /** The delivery id in the session's log. */
  readonly id: string;
  /** The provider's own id for it, when it carries one. */
  readonly messageId?: string;
  /** The message id the session signed it with (trigger --duplicate signs its copies with it). */
  readonly signedId?: string;
  readonly provider: string;
  readonly url: string;
  readonly status?: number;
  readonly ok: boolean;
  readonly durationMs: number;
  readonly error?: { readonly kind: string; readonly message: string };
  readonly bodyExcerpt?: string;
  /** Why the session did not forward it to the app (an event outside listen --events). */
  readonly skipped?: string;
}

/** Answer of POST {controlUrl}/inject when the body is over the session's --max-body (status 413). */
export interface InjectTooLarge {
  readonly error: { readonly kind: 'too-large'; readonly message: string };
  readonly bodySize: number;
  readonly maxBodyBytes: number;
}

export const SESSION_FILE = 'session.json';
export const SESSION_TOKEN_HEADER = 'x-webhook-session-token';
/** The size of the body an inject request carries, so an oversized one is refused unread. */
export const SESSION_BODY_SIZE_HEADER = 'x-webhook-body-size';

export async function writeSession(storeDir: string, info: SessionInfo): Promise<void> {
  await writePrivateFile(path.join(storeDir, SESSION_FILE), `${JSON.stringify(info, null, 2)}\n`);
}

export async function removeSession(storeDir: string, pid: number): Promise<void> {
  const current = await readSessionFile(storeDir);
  if (current && 'info' in current && current.info.pid === pid) await rm(path.join(storeDir, SESSION_FILE), { force: true });
}

/** The session file part of `listen`: written at start for `trigger` to find, removed at stop (when it is still this session's). */
export async function publishSession(storeDir: string, info: SessionInfo): Promise<{ stop(): Promise<void> }> {
  await writeSession(storeDir, info);
  return { stop: () => removeSession(storeDir, info.pid) };
}

/**
 * The shapes of session JSON read back: the session file lives in the store (another version,
 * edited or planted) and an inject answer comes from whatever listens on the control port, so both
 * are checked, not cast. Loose: fields of newer versions pass. Made on first use, so zod loads
 * only when there is something to check (`trigger` without a session never loads it).
 */
let schemas: Promise<{ sessionInfo: z.ZodType<SessionInfo>; injectResponse: z.ZodType<InjectResponse> }> | undefined;
export function sessionSchemas() {
  return (schemas ??= import('zod').then(({ z }) => ({
    sessionInfo: z.looseObject({
      pid: z.number().int().positive(),
      provider: z.string().min(1),
      localUrl: z.url(),
      publicUrl: z.string().optional(),
      forwardTo: z.string(),
      controlUrl: z.url({ protocol: /^https?$/ }),
      token: z.string().min(1),
      startedAt: z.string(),
      events: z.array(z.string()).optional(),
    }),
    injectResponse: z.looseObject({
      id: z.string(),
      messageId: z.string().optional(),
      signedId: z.string().optional(),
      provider: z.string(),
      url: z.string(),
      status: z.number().int().optional(),
      ok: z.boolean(),
      durationMs: z.number(),
      error: z.looseObject({ kind: z.string(), message: z.string() }).optional(),
      bodyExcerpt: z.string().optional(),
      skipped: z.string().optional(),
    }),
  })));
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
