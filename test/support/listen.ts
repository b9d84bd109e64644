import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BIN, cliEnv } from './cli.js';
import type { JsonRecord } from './json.js';

export interface ListenProcess {
  readonly child: ChildProcess;
  readonly ready: JsonRecord;
  /** Every NDJSON line so far. */
  readonly events: JsonRecord[];
  /** Resolves with the n-th event matching the predicate (waits for it to arrive). */
  next(predicate: (event: JsonRecord) => boolean): Promise<JsonRecord>;
  stderr(): string;
  /** Send a signal and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawn the built `webhook listen --json ...` and wait for its ready line. */
export async function startListenCli(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<ListenProcess> {
  const child = spawn(process.execPath, [BIN, 'listen', '--json', ...args], { env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const events: JsonRecord[] = [];
  const waiters: { predicate: (e: JsonRecord) => boolean; resolve: (e: JsonRecord) => void; seen: number }[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const event = JSON.parse(line) as JsonRecord;
    events.push(event);
    for (const w of [...waiters]) {
      if (w.predicate(event)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(event);
      }
    }
  });
  // Each event is handed out once: the first not yet returned that matches, past or future.
  const returned = new Set<JsonRecord>();
  const next = (predicate: (e: JsonRecord) => boolean) =>
    new Promise<JsonRecord>((resolve) => {
      const done = (e: JsonRecord) => {
        returned.add(e);
        resolve(e);
      };
      const past = events.find((e) => !returned.has(e) && predicate(e));
      if (past) return done(past);
      waiters.push({ predicate: (e) => !returned.has(e) && predicate(e), resolve: done, seen: 0 });
    });
  const ready = await Promise.race([
    next((e) => e.type === 'ready'),
    exited.then((code) => {
      throw new Error(`listen exited ${code} before ready: ${stderr}`);
    }),
  ]);
  return {
    child,
    ready,
    events,
    next,
    stderr: () => stderr,
    stop: (signal = 'SIGTERM') => {
      child.kill(signal);
      return exited;
    },
  };
}
