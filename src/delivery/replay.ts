import { connect } from 'node:net';
import path from 'node:path';
import pLimit from 'p-limit';
import type { Clock } from '../clock.js';
import { UsageError } from '../errors.js';
import { describeExpectation, EXPECT_2XX, expectationHolds, type Expectation } from '../payloads/expect.js';
import { readFixture, type LoadedFixture } from '../payloads/load.js';
import type { TemplateSource } from '../payloads/template.js';
import { listFixtureFiles } from '../payloads/walk.js';
import type { ProviderProfile } from '../providers/types.js';
import { keepAlivePool } from './keep-alive.js';
import { httpPool, undiciPool, type SendPool } from './pool.js';
import { signAndSend } from './trigger.js';
import type { DeliveryOutcome } from '../send-outcome.js';

/** The outcome of one replayed fixture. */
export interface ReplayResult extends Pick<DeliveryOutcome, 'event' | 'provider' | 'status' | 'durationMs' | 'id' | 'error' | 'bodyExcerpt'> {
  /** Position in the run (0-based, stable order). */
  readonly index: number;
  /** The fixture file, relative to the working directory. */
  readonly file: string;
  /** The expectation held. */
  readonly passed: boolean;
  /** What was expected, e.g. "2xx" or "200 or 202". */
  readonly expected: string;
  /** The run was interrupted before this fixture's answer came (never sent, or cut off in flight): neither passed nor failed. */
  readonly skipped?: boolean;
}

export interface ReplaySummary {
  /** Fixtures whose delivery finished (passed + failed). */
  readonly sent: number;
  readonly passed: number;
  readonly failed: number;
  /** Fixtures left unfinished by an interrupt. */
  readonly skipped: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly durationMs: number;
  readonly interrupted: boolean;
}

/** Renderers of a run: plain lines, a progress bar, NDJSON, JUnit. The core only calls these. */
export interface ReplayReporter {
  start(info: { total: number; url: string }): void;
  result(result: ReplayResult): void;
  /**
   * Called at once (synchronously) when the run is interrupted, before the unfinished fixtures are
   * reported: whatever must survive a second interrupt (which exits at once) is written here.
   */
  interrupted?(progress: { readonly reported: number; readonly total: number }): void;
  finish(summary: ReplaySummary): void | Promise<void>;
}

export interface ReplayInput {
  /** Fixture files and folders. */
  readonly paths: readonly string[];
  readonly cwd: string;
  readonly url: URL;
  /** The provider of a fixture without "$fixture".provider: its folder name when that is a provider, else this. */
  readonly providerFor: (folder: string, meta: string | undefined, file: string) => ProviderProfile;
  /** The signing secret of a provider (throws a usage error when there is none). */
  readonly secretFor: (profile: ProviderProfile) => string;
  /** X-Forwarded-For addresses for a provider's deliveries, used in turn (--from-ip); throws a usage error when it has none. */
  readonly sourceAddressesFor?: ((profile: ProviderProfile) => readonly string[]) | undefined;
  /** The run's expectation; a fixture's "$fixture".expect wins. Default 2xx. */
  readonly expect?: Expectation | undefined;
  /** Deliveries in flight at once (default 4). */
  readonly concurrency?: number;
  readonly templates: TemplateSource;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  readonly reporter: ReplayReporter;
}

/** Nearest-rank percentile of sorted numbers (0 when empty). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Whether something accepts TCP connections at the URL's host and port; explains when not. */
async function checkReachable(url: URL, timeoutMs = 5_000): Promise<void> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const where = `${url.protocol}//${url.host}`;
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new UsageError(`${where} did not accept a connection within ${timeoutMs} ms`, { hint: 'is the app running and the --to URL right?' }));
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'ECONNREFUSED' ? `nothing is listening on ${where} (connection refused)` : error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN' ? `cannot resolve host ${url.hostname}` : `cannot connect to ${where} (${error.code ?? error.message})`;
      reject(new UsageError(`${reason}; nothing was sent`, { hint: 'start your app first, or check the --to URL' }));
    });
  });
}

/** A fixture read, checked and ready to send: everything the sending side needs, read once. */
interface Prepared {
  readonly file: string;
  readonly fixture: LoadedFixture;
  /** The body parsed while reading, when it is the file's JSON as it is. */
  readonly parsed: { readonly payload: unknown } | undefined;
  readonly profile: ProviderProfile;
  readonly secret: string;
  readonly addresses: readonly string[] | undefined;
}

/**
 * A file's path relative to `cwd`, as path.relative gives it: files under `cwd` (the usual case,
 * thousands of them) without resolving both paths again for each.
 */
function relativeTo(cwd: string): (file: string) => string {
  const root = path.resolve(cwd);
  const prefix = root.endsWith(path.sep) ? root : `${root}${path.sep}`;
  return (file) => (file.startsWith(prefix) ? file.slice(prefix.length) : path.relative(root, file)) || file;
}

/**
 * Read every fixture once and check it (JSON, provider, secret, --from-ip), so bad input exits
 * before anything is sent. Each body is kept until it is sent, then dropped.
 */
async function prepareAll(input: ReplayInput): Promise<(Prepared | undefined)[]> {
  const prepared: (Prepared | undefined)[] = [];
  const relative = relativeTo(input.cwd);
  for (const file of await listFixtureFiles(input.paths, input.cwd)) {
    const display = relative(file);
    const { fixture, parsed } = readFixture(file, input.templates, {}, display);
    const profile = input.providerFor(path.basename(path.dirname(file)), fixture.provider, display);
    prepared.push({ file: display, fixture, parsed, profile, secret: input.secretFor(profile), addresses: input.sourceAddressesFor?.(profile) });
  }
  if (prepared.length === 0) throw new UsageError(`no fixtures found in ${input.paths.join(', ')}`, { hint: 'pass .json files, or folders holding <provider>/<event>.json' });
  return prepared;
}

/**
 * To an https URL, runs up to this many fixtures go over node:https; longer ones over an undici
 * Pool (http URLs take replay's own keep-alive client, keep-alive.ts, whatever the length). For short
 * runs start-up dominates, and undici costs a module load and compiling its WebAssembly parser;
 * over hundreds of requests its lower cost per request wins (measured: node:http ahead at 50
 * fixtures, undici at 500).
 */
export const HTTP_POOL_MAX_FIXTURES = 200;

/** Sign, send and judge one prepared fixture (skipped when the run was interrupted first). */
async function replayOne(input: ReplayInput, item: Prepared, at: number, pool: SendPool): Promise<ReplayResult> {
  const { fixture, profile } = item;
  const expectation = fixture.meta.expect ?? input.expect ?? EXPECT_2XX;
  const described = { index: at, file: item.file, event: fixture.event, provider: profile.name, expected: describeExpectation(expectation) };
  if (input.signal?.aborted) return { ...described, status: undefined, passed: false, skipped: true, durationMs: 0, id: '' };
  const forwardedFor = item.addresses?.[at % item.addresses.length];
  const outcome = await signAndSend({ profile, event: fixture.event, fixture, parsed: item.parsed, url: input.url, secret: item.secret, clock: input.clock, signal: input.signal, forwardedFor, send: pool.send });
  if (outcome.error?.kind === 'aborted') return { ...described, status: undefined, passed: false, skipped: true, durationMs: outcome.durationMs, id: outcome.id, error: outcome.error };
  return {
    ...described,
    status: outcome.status,
    passed: expectationHolds(expectation, outcome.status),
    durationMs: outcome.durationMs,
    id: outcome.id,
    ...(outcome.error ? { error: outcome.error } : {}),
    ...(outcome.bodyExcerpt !== undefined ? { bodyExcerpt: outcome.bodyExcerpt } : {}),
  };
}

/**
 * Send every fixture under `paths` to one URL, `concurrency` at a time, and report each result
 * in a stable order. Every fixture is read and checked (JSON, provider, secret) and the target
 * probed before anything is sent, so bad input exits first; each file is read once, its body
 * dropped once sent, and only a window of results waits for its turn to be reported. One pool of
 * `concurrency` connections carries the whole run.
 */
export async function runReplay(input: ReplayInput): Promise<ReplaySummary> {
  const prepared = await prepareAll(input);
  const total = prepared.length;
  await checkReachable(input.url);

  const concurrency = input.concurrency ?? 4;
  const limit = pLimit(concurrency);
  const window = Math.max(concurrency * 4, 16);
  const durations = new Float64Array(total);
  let sent = 0;
  let passed = 0;
  const started = input.clock.monotonic();
  const poolOptions = { url: input.url, connections: concurrency, signal: input.signal };
  // Plain http: replay's own client (measured against node:http and undici at 50 to 5,000
  // fixtures: less work per request, nothing to load); node:http for what it does not write.
  const pool = input.url.protocol === 'http:' ? keepAlivePool(poolOptions, () => httpPool(poolOptions)) : total > HTTP_POOL_MAX_FIXTURES ? await undiciPool(poolOptions) : httpPool(poolOptions);
  input.reporter.start({ total, url: input.url.toString() });

  const pending: Promise<ReplayResult>[] = [];
  let reported = 0;
  let skipped = 0;
  const report = (result: ReplayResult) => {
    reported++;
    if (result.skipped) skipped++;
    else {
      durations[sent++] = result.durationMs;
      if (result.passed) passed++;
    }
    input.reporter.result(result);
  };
  // On an interrupt nothing new is sent (each task checks the signal, the pool cuts off what is
  // in flight); every fixture is still reported, the unsent ones as skipped.
  const onInterrupt = () => input.reporter.interrupted?.({ reported, total });
  if (input.signal?.aborted) onInterrupt();
  else input.signal?.addEventListener('abort', onInterrupt, { once: true });
  try {
    for (let at = 0; at < total; at++) {
      const item = prepared[at]!;
      prepared[at] = undefined; // the body goes once it is sent
      const task = limit(() => replayOne(input, item, at, pool));
      task.catch(() => undefined); // observed when its turn comes; never an unhandled rejection meanwhile
      pending.push(task);
      if (pending.length >= window) report(await pending.shift()!);
    }
    while (pending.length) report(await pending.shift()!);
  } finally {
    input.signal?.removeEventListener('abort', onInterrupt);
    await pool.close();
  }
  const sorted = durations.subarray(0, sent).sort();
  const summary: ReplaySummary = {
    sent,
    passed,
    failed: sent - passed,
    skipped,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    durationMs: Math.round(input.clock.monotonic() - started),
    interrupted: input.signal?.aborted === true,
  };
  await input.reporter.finish(summary);
  return summary;
}
