import { Pool, type Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import { answered, BodyKeeper, classifySendError, dispatchKept, noAnswer, sendRequest, type SendResult } from '../delivery/send.js';

/** A rule sending matching events to another target (first match wins; `*` matches any run of characters). */
export interface Route {
  readonly pattern: string;
  readonly target: URL;
}

/**
 * `*` matches any run of characters, everything else itself. Linear in the event's length for
 * any pattern (a regular expression of several `.*` backtracks: a long hostile event name must
 * not block the receiver).
 */
export function matchesPattern(pattern: string, event: string): boolean {
  let p = 0;
  let e = 0;
  let star = -1;
  let resume = 0;
  while (e < event.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = e;
    } else if (p < pattern.length && pattern[p] === event[e]) {
      p++;
      e++;
    } else if (star >= 0) {
      p = star + 1;
      e = ++resume;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Where one delivery goes: `href` is recorded; `origin` + `path` is what is requested. */
export interface ForwardTarget {
  readonly href: string;
  readonly origin: string;
  readonly path: string;
  /** The forward URL when it carries credentials (sent as before, through sendRequest). */
  readonly url?: URL;
}

/** A forward target's parts, taken apart once (not per delivery). */
interface Base {
  readonly url: URL;
  readonly prefix: string;
  readonly pathname: string;
  readonly search: string;
  readonly hash: string;
}

/**
 * A received path the URL parser leaves exactly as it is (no dot segments, nothing it would
 * percent-encode, not `//host`): joined by string operations. Anything else goes through `new URL`.
 */
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@/]*(?:\?[A-Za-z0-9\-._~!$&()*+,;=:@/?%]*)?$/;

function baseOf(url: URL): Base {
  const { href, pathname, search, hash } = url;
  return { url, prefix: href.slice(0, href.length - pathname.length - search.length - hash.length), pathname, search, hash };
}

/** The base URL with the received path appended to its path, and the received query (if any) replacing its own. */
export function joinTarget(base: URL, path: string): URL {
  const received = new URL(path, 'http://receiver');
  const url = new URL(base);
  if (received.pathname !== '/') url.pathname = `${url.pathname.replace(/\/$/, '')}${received.pathname}`;
  if (received.search) url.search = received.search;
  return url;
}

function targetOf(base: Base, path: string): ForwardTarget {
  if (!PLAIN_PATH.test(path) || path.includes('/.') || base.url.username !== '' || base.url.password !== '') {
    const url = joinTarget(base.url, path);
    return { href: url.href, origin: url.origin, path: `${url.pathname}${url.search}`, ...(url.username !== '' || url.password !== '' ? { url } : {}) };
  }
  const q = path.indexOf('?');
  const receivedPath = q < 0 ? path : path.slice(0, q);
  const receivedSearch = q < 0 || q === path.length - 1 ? '' : path.slice(q);
  const pathname = receivedPath !== '/' ? `${base.pathname.replace(/\/$/, '')}${receivedPath}` : base.pathname;
  const search = receivedSearch || base.search;
  return { href: `${base.prefix}${pathname}${search}${base.hash}`, origin: base.url.origin, path: `${pathname}${search}` };
}

export interface ForwardInput {
  readonly method: string;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body: Uint8Array;
}

export interface Forwarder {
  /** Where a delivery of `event` received at `path` goes; undefined when `path` is not a path. */
  target(event: string | undefined, path: string): ForwardTarget | undefined;
  /** Forward and read up to `maxResponseBytes` of the answer; never throws for network trouble. */
  send(target: ForwardTarget, input: ForwardInput): Promise<SendResult>;
  close(): Promise<void>;
}

/**
 * The receiver's way out: targets taken apart once, and a connection pool per origin whose own
 * headers and body timeouts bound each forward (no timer, abort controller or URL object per delivery).
 */
export function createForwarder(options: { forwardTo: URL; routes?: readonly Route[] | undefined; timeoutMs: number; maxResponseBytes: number; dispatcher?: Dispatcher | undefined; clock: Clock }): Forwarder {
  const { timeoutMs, clock, maxResponseBytes } = options;
  const main = baseOf(options.forwardTo);
  const routes = (options.routes ?? []).map((r) => ({ pattern: r.pattern, base: baseOf(r.target) }));
  // One Pool per origin (the app's, each route's), as an Agent keeps them, dispatched to directly:
  // the Agent's layer on every forward measured 2–3 % of listen's CPU per delivery. No connection
  // cap (as the global dispatcher): a forward waiting for a free connection would wait outside its timeout.
  const pools = new Map<string, Pool>();
  const dispatcherFor = (origin: string): Dispatcher => {
    if (options.dispatcher) return options.dispatcher;
    let pool = pools.get(origin);
    if (pool === undefined) {
      pool = new Pool(origin, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      pools.set(origin, pool);
    }
    return pool;
  };
  // The last target made, for the next delivery to the same path (most are): targets are immutable.
  let last: { base: Base; path: string; target: ForwardTarget } | undefined;
  return {
    target(event, path) {
      const route = event === undefined ? undefined : routes.find((r) => matchesPattern(r.pattern, event));
      const base = route?.base ?? main;
      if (last !== undefined && last.base === base && last.path === path) return last.target;
      try {
        const target = targetOf(base, path);
        last = { base, path, target };
        return target;
      } catch {
        return undefined;
      }
    },
    async send(target, input) {
      if (target.url) return sendRequest({ url: target.url, ...input, timeoutMs, maxResponseBytes, dispatcher: dispatcherFor(target.url.origin) }, clock);
      const started = clock.monotonic();
      const keeper = new BodyKeeper(maxResponseBytes);
      try {
        const { status, headers } = await dispatchKept(dispatcherFor(target.origin), { origin: target.origin, path: target.path, method: input.method as Dispatcher.HttpMethod, headers: input.headers as Record<string, string>, body: input.body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }, keeper);
        return answered(status, headers, keeper, clock.monotonic() - started);
      } catch (error) {
        return noAnswer(classifySendError(error, new URL(target.href), timeoutMs), clock.monotonic() - started);
      }
    },
    close: async () => {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
    },
  };
}
