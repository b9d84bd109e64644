import { connect, type Socket } from 'node:net';
import type { Clock } from '../clock.js';
import { MalformedResponse, ResponseParser } from './response-parser.js';
import { answered, BodyKeeper, classifySendError, headerRecord, noAnswer, notSent, type SendInput, type SendResult, timeoutMessage } from './send.js';
import type { PoolOptions, SendPool } from './pool.js';

/*
 * A dedicated HTTP/1.1 keep-alive client for replay's plain-http runs: up to `connections`
 * sockets, one request at a time on each, every request written with one write. It takes only
 * what it can send exactly (a token method, header names and values of visible ASCII, each name
 * once, none of the headers that steer the connection, the pool's own origin); anything else goes to the fallback
 * pool. Answers are parsed strictly (response-parser.ts): a malformed one is an error naming the
 * server, never a guess. Why it exists: per request it does a fraction of node:http's work and
 * needs no module or WebAssembly start-up like undici (bench/replay-ci.mjs, bench/replay.mjs).
 */

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VALUE = /^[\t\x20-\x7e]*$/;
/** Headers this client sets or whose meaning it does not implement: such requests take the fallback. */
const RESERVED = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'expect', 'upgrade', 'te', 'trailer', 'proxy-connection']);

/** The request's bytes (head and body in one buffer), or undefined when this client does not take it. */
export function requestBytes(input: SendInput, url: URL): Buffer | undefined {
  const method = input.method ?? 'POST';
  if (url.protocol !== 'http:' || !TOKEN.test(method) || url.username !== '' || url.password !== '') return undefined;
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  // One name given twice in different cases: node:http keeps the last, so let it decide.
  const names = new Set<string>();
  for (const [name, given] of Object.entries(input.headers)) {
    const lower = name.toLowerCase();
    if (!TOKEN.test(name) || RESERVED.has(lower) || names.has(lower)) return undefined;
    names.add(lower);
    for (const value of typeof given === 'string' ? [given] : given) {
      if (!VALUE.test(value)) return undefined;
      head += `${name}: ${value}\r\n`;
    }
  }
  head += `content-length: ${input.body.length}\r\n\r\n`;
  const bytes = Buffer.allocUnsafe(Buffer.byteLength(head, 'latin1') + input.body.length);
  const at = bytes.write(head, 'latin1');
  bytes.set(input.body, at);
  return bytes;
}

/** One request waiting for, or on, a connection. */
interface Exchange {
  readonly bytes: Buffer;
  readonly input: SendInput;
  readonly url: URL;
  readonly clock: Clock;
  readonly started: number;
  readonly keeper: BodyKeeper;
  readonly resolve: (result: SendResult) => void;
  timer?: NodeJS.Timeout;
  settled?: boolean;
}

/** A socket and the exchange it carries (at most one). */
interface Connection {
  readonly socket: Socket;
  exchange: Exchange | undefined;
  parser: ResponseParser | undefined;
  /** The current request's bytes were all handed to the kernel. */
  written: boolean;
  error: Error | undefined;
}

function errorWithCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * A keep-alive pool over node:net for http: URLs; requests it does not take go through
 * `fallback`, made on first need. Timeouts bound the whole exchange, from the call to the end of
 * the answer, as in sendOnce. When `options.signal` aborts, every socket is cut and what is
 * waiting or in flight comes back as `aborted`.
 */
export function keepAlivePool(options: PoolOptions, fallback: () => SendPool): SendPool {
  const pool = new KeepAlivePool(options, fallback);
  return { send: (input, clock) => pool.send(input, clock), close: () => pool.close() };
}

class KeepAlivePool {
  private readonly open = new Set<Connection>();
  private readonly idle: Connection[] = [];
  private readonly queue: Exchange[] = [];
  private other: SendPool | undefined;
  private readonly onAbort = () => {
    for (const exchange of this.queue.splice(0)) this.settle(exchange, notSent());
    for (const conn of [...this.open]) this.drop(conn, new Error('interrupted'));
  };

  constructor(
    private readonly options: PoolOptions,
    private readonly fallback: () => SendPool,
  ) {
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  send(input: SendInput, clock: Clock): Promise<SendResult> {
    if (this.options.signal?.aborted || input.signal?.aborted) return Promise.resolve(notSent());
    const url = typeof input.url === 'string' ? new URL(input.url) : input.url;
    const bytes = url.origin === this.options.url.origin ? requestBytes(input, url) : undefined;
    if (!bytes) {
      this.other ??= this.fallback();
      return this.other.send(input, clock);
    }
    return new Promise<SendResult>((resolve) => {
      const exchange: Exchange = { bytes, input, url, clock, started: clock.monotonic(), keeper: new BodyKeeper(input.maxResponseBytes ?? 4096), resolve };
      exchange.timer = setTimeout(() => this.timeOut(exchange), input.timeoutMs);
      const free = this.idle.pop();
      if (free) this.start(free, exchange);
      else if (this.open.size < this.options.connections) this.start(this.connect(), exchange);
      else this.queue.push(exchange);
    });
  }

  async close(): Promise<void> {
    this.options.signal?.removeEventListener('abort', this.onAbort);
    for (const exchange of this.queue.splice(0)) this.settle(exchange, notSent());
    for (const conn of [...this.open]) this.drop(conn);
    await this.other?.close();
  }

  private settle(exchange: Exchange, result: SendResult): void {
    if (exchange.settled) return;
    exchange.settled = true;
    clearTimeout(exchange.timer);
    exchange.resolve(result);
  }

  private fail(exchange: Exchange, error: unknown): void {
    const { url, input } = exchange;
    const reason = error instanceof MalformedResponse ? { kind: 'other' as const, message: `${url.protocol}//${url.host} sent a malformed HTTP answer: ${error.message}` } : classifySendError(error, url, input.timeoutMs, this.options.signal);
    this.settle(exchange, noAnswer(reason, exchange.clock.monotonic() - exchange.started));
  }

  private succeed(exchange: Exchange, parser: ResponseParser): void {
    this.settle(exchange, answered(parser.status, headerRecord(parser.rawHeaders), exchange.keeper, exchange.clock.monotonic() - exchange.started));
  }

  private timeOut(exchange: Exchange): void {
    const queued = this.queue.indexOf(exchange);
    if (queued >= 0) this.queue.splice(queued, 1);
    this.settle(exchange, noAnswer(timeoutMessage(exchange.url, exchange.input.timeoutMs), exchange.clock.monotonic() - exchange.started));
    for (const conn of this.open) if (conn.exchange === exchange) this.drop(conn);
  }

  private connect(): Connection {
    const { url } = this.options;
    const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80) });
    socket.setNoDelay(true);
    const conn: Connection = { socket, exchange: undefined, parser: undefined, written: false, error: undefined };
    socket.on('data', (chunk: Buffer) => this.onData(conn, chunk));
    socket.on('end', () => this.onEnd(conn));
    socket.on('error', (error) => {
      conn.error ??= error;
    });
    socket.on('close', () => this.onClose(conn));
    this.open.add(conn);
    return conn;
  }

  private start(conn: Connection, exchange: Exchange): void {
    conn.exchange = exchange;
    conn.parser = new ResponseParser((chunk) => exchange.keeper.add(chunk), (exchange.input.method ?? 'POST').toUpperCase() === 'HEAD');
    conn.written = false;
    conn.socket.write(exchange.bytes, (error) => {
      if (!error && conn.exchange === exchange) conn.written = true;
    });
  }

  /** The connection is free again: the next waiting request, or the idle list. */
  private release(conn: Connection): void {
    conn.exchange = undefined;
    conn.parser = undefined;
    const next = this.queue.shift();
    if (next) this.start(conn, next);
    else this.idle.push(conn);
  }

  private drop(conn: Connection, error?: Error): void {
    if (!this.open.delete(conn)) return;
    const at = this.idle.indexOf(conn);
    if (at >= 0) this.idle.splice(at, 1);
    conn.socket.destroy(error);
    // A request waiting for a connection gets a new one in place of this.
    const next = this.options.signal?.aborted ? undefined : this.queue.shift();
    if (next) this.start(this.connect(), next);
  }

  private onData(conn: Connection, chunk: Buffer): void {
    const { exchange, parser } = conn;
    if (!exchange || !parser || exchange.settled) {
      this.drop(conn); // bytes nobody asked for: the connection cannot be trusted
      return;
    }
    try {
      if (!parser.push(chunk)) return;
    } catch (error) {
      this.fail(exchange, error);
      this.drop(conn);
      return;
    }
    this.succeed(exchange, parser);
    // Reused only when the whole request went out, the server keeps the connection, and nothing followed the answer.
    if (parser.keepAlive && conn.written && parser.rest.length === 0) this.release(conn);
    else this.drop(conn);
  }

  private onEnd(conn: Connection): void {
    const { exchange, parser } = conn;
    if (exchange && parser?.end()) this.succeed(exchange, parser);
    this.drop(conn);
  }

  private onClose(conn: Connection): void {
    if (conn.exchange) this.fail(conn.exchange, conn.error ?? errorWithCode('the connection closed before the answer came', 'ECONNRESET'));
    this.drop(conn);
  }
}
