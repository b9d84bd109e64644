/**
 * An HTTP/1.x response parser for one keep-alive connection (see keep-alive.ts): bytes go in as
 * they arrive, the status, headers and body come out. Strict about what it accepts: a status line
 * of HTTP/1.0 or 1.1, header lines of a token, a colon and a value without control characters,
 * CRLF line ends, one Content-Length (repeats must agree) or a Transfer-Encoding ending in chunked
 * (never both), and bounded head, chunk-size and trailer sizes. Anything else throws
 * MalformedResponse. Interim answers (1xx other than 101) are skipped; 204, 304 and answers to
 * HEAD have no body; a body of no stated length runs until the connection closes.
 */

/** The server's answer is not HTTP/1.1 this parser accepts; the message says how. */
export class MalformedResponse extends Error {}

/** Head (status line and headers) and trailers: at most this many bytes. */
const MAX_HEAD_BYTES = 64 * 1024;
/** A chunk-size line, extensions included. */
const MAX_CHUNK_LINE = 1024;

const STATUS_LINE = /^HTTP\/1\.([01]) ([0-9]{3})(?: [^\x00-\x08\x0a-\x1f\x7f]*)?$/;
const HEADER_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([^\x00-\x08\x0a-\x1f\x7f]*?)[ \t]*$/;
/** A whole head of such lines, tested in one match (the usual case; a miss is explained line by line). */
const WELL_FORMED_HEAD = /^HTTP\/1\.[01] [0-9]{3}(?: [^\x00-\x08\x0a-\x1f\x7f]*)?(?:\r\n[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[^\x00-\x08\x0a-\x1f\x7f]*)*$/;
/** Each header of a well-formed head: its name, and its value without surrounding blanks. */
const HEADER_PAIR = /\r\n([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([^\x00-\x08\x0a-\x1f\x7f]*?)[ \t]*(?=\r\n|$)/g;
const EMPTY = Buffer.alloc(0);
const CHUNK_SIZE = /^([0-9A-Fa-f]{1,12})[ \t]*(?:;[^\x00-\x08\x0a-\x1f\x7f]*)?$/;
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'close' | 'done';

/** What the head says about the body and the connection. */
interface Head {
  readonly status: number;
  readonly rawHeaders: string[];
  readonly keepAlive: boolean;
  /** A byte count, 'chunked', or 'close' (until the connection ends). */
  readonly framing: number | 'chunked' | 'close';
}

/** The comma-separated tokens of the headers that frame the body and steer the connection, lower-cased. */
function framingTokens(rawHeaders: readonly string[]): { connection: string[]; lengths: string[]; codings: string[] } {
  const found = { connection: [] as string[], lengths: [] as string[], codings: [] as string[] };
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const into = name === 'connection' ? found.connection : name === 'content-length' ? found.lengths : name === 'transfer-encoding' ? found.codings : undefined;
    if (!into) continue;
    for (const part of rawHeaders[i + 1]!.split(',')) {
      const token = part.trim().toLowerCase();
      if (token !== '') into.push(token);
    }
  }
  return found;
}

/** How the body is delimited, from Content-Length and Transfer-Encoding. */
function framingOf(lengths: readonly string[], codings: readonly string[], bodiless: boolean): Head['framing'] {
  if (lengths.length > 0 && codings.length > 0) throw new MalformedResponse('both Content-Length and Transfer-Encoding');
  if (bodiless) return 0;
  if (codings.length > 0) {
    const chunked = codings.indexOf('chunked');
    if (chunked >= 0 && chunked !== codings.length - 1) throw new MalformedResponse('chunked is not the last transfer coding');
    return chunked >= 0 ? 'chunked' : 'close';
  }
  if (lengths.length === 0) return 'close';
  if (!lengths.every((value) => /^[0-9]{1,15}$/.test(value) && value === lengths[0])) throw new MalformedResponse(`bad Content-Length: ${lengths.join(', ')}`);
  return Number(lengths[0]);
}

/** The header name/value pairs of a head, in order; throws, saying which line is wrong, for a malformed head. */
function headerPairs(text: string): string[] {
  const rawHeaders: string[] = [];
  if (WELL_FORMED_HEAD.test(text)) {
    for (const pair of text.matchAll(HEADER_PAIR)) rawHeaders.push(pair[1]!, pair[2]!);
    return rawHeaders;
  }
  const lines = text.split('\r\n');
  if (lines.some((line) => line.includes('\n'))) throw new MalformedResponse('a bare LF in the head');
  if (!STATUS_LINE.test(lines[0]!)) throw new MalformedResponse(`not an HTTP/1.x status line: ${JSON.stringify(lines[0]!.slice(0, 40))}`);
  const bad = lines.slice(1).find((line) => !HEADER_LINE.test(line));
  throw new MalformedResponse(`bad header line: ${JSON.stringify((bad ?? '').slice(0, 40))}`);
}

/** Parse a head (without its final empty line); `head` says whether the request was HEAD. */
function parseHead(text: string, head: boolean): Head {
  const rawHeaders = headerPairs(text);
  // A well-formed head starts "HTTP/1.x nnn".
  const code = Number(text.slice(9, 12));
  const { connection, lengths, codings } = framingTokens(rawHeaders);
  const framing = framingOf(lengths, codings, head || code < 200 || code === 204 || code === 304);
  const keepAlive = framing !== 'close' && (text[7] === '1' ? !connection.includes('close') : connection.includes('keep-alive'));
  return { status: code, rawHeaders, keepAlive, framing };
}

/** The size of a chunk-size line of hex digits only (the usual case), else -1. */
function plainHexSize(buf: Buffer, end: number): number {
  if (end === 0 || end > 12) return -1;
  let size = 0;
  for (let i = 0; i < end; i++) {
    const c = buf[i]!;
    const digit = c >= 0x30 && c <= 0x39 ? c - 0x30 : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 ? (c | 0x20) - 0x57 : -1;
    if (digit < 0) return -1;
    size = size * 16 + digit;
  }
  return size;
}

/** One response on a connection; `push` bytes as they come, `end` when the connection ends. */
export class ResponseParser {
  status = 0;
  rawHeaders: string[] = [];
  /** Whether the connection may carry another request after this response. */
  keepAlive = false;
  private state: State = 'head';
  private pending: Buffer = EMPTY;
  private remaining = 0;
  private trailerBytes = 0;

  /** `onBody` gets the body's bytes (chunked framing removed); `head`: the request was HEAD. */
  constructor(
    private readonly onBody: (chunk: Buffer) => void,
    private readonly head = false,
  ) {}

  get done(): boolean {
    return this.state === 'done';
  }

  /** Bytes that came after the complete response (none are expected: one request at a time). */
  get rest(): Buffer {
    return this.state === 'done' ? this.pending : EMPTY;
  }

  /** Take bytes from the connection; true once the response is complete. Throws MalformedResponse. */
  push(chunk: Buffer): boolean {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length > 0 && this.state !== 'done') {
      if (!this.step()) break;
    }
    return this.state === 'done';
  }

  /** The connection ended: true when that completes the response (a body until close). */
  end(): boolean {
    if (this.state === 'close') this.state = 'done';
    return this.state === 'done';
  }

  /** Take what `pending` allows in the current state; false when more bytes are needed. */
  private step(): boolean {
    switch (this.state) {
      case 'head':
        return this.takeHead();
      case 'length':
      case 'chunk-data':
        return this.takeCounted();
      case 'chunk-size':
        return this.takeChunkSize();
      case 'chunk-end':
        return this.takeChunkEnd();
      case 'trailers':
        return this.takeTrailers();
      default:
        // 'close': everything until the connection ends is body.
        this.onBody(this.pending);
        this.pending = EMPTY;
        return false;
    }
  }

  private takeHead(): boolean {
    const end = this.pending.indexOf(HEAD_END);
    if (end < 0) {
      if (this.pending.length > MAX_HEAD_BYTES) throw new MalformedResponse(`a head over ${MAX_HEAD_BYTES} bytes`);
      if (this.pending.includes('\n\n')) throw new MalformedResponse('a bare LF in the head');
      return false;
    }
    if (end > MAX_HEAD_BYTES) throw new MalformedResponse(`a head over ${MAX_HEAD_BYTES} bytes`);
    const head = parseHead(this.pending.subarray(0, end).toString('latin1'), this.head);
    this.pending = this.pending.subarray(end + 4);
    if (head.status === 101) throw new MalformedResponse('101 Switching Protocols to a request that asked for no upgrade');
    if (head.status < 200) return true; // an interim answer: the real one follows
    this.status = head.status;
    this.rawHeaders = head.rawHeaders;
    this.keepAlive = head.keepAlive;
    if (head.framing === 'chunked') this.state = 'chunk-size';
    else if (head.framing === 'close') this.state = 'close';
    else {
      this.remaining = head.framing;
      this.state = head.framing === 0 ? 'done' : 'length';
    }
    return true;
  }

  /** Body bytes of a known count: the Content-Length body, or one chunk's data. */
  private takeCounted(): boolean {
    const take = Math.min(this.remaining, this.pending.length);
    this.onBody(this.pending.subarray(0, take));
    this.pending = this.pending.subarray(take);
    this.remaining -= take;
    if (this.remaining > 0) return false;
    this.state = this.state === 'length' ? 'done' : 'chunk-end';
    return true;
  }

  private takeChunkSize(): boolean {
    const end = this.pending.indexOf(CRLF);
    if (end < 0) {
      if (this.pending.length > MAX_CHUNK_LINE) throw new MalformedResponse('a chunk-size line too long');
      return false;
    }
    let size = plainHexSize(this.pending, end);
    if (size < 0) {
      const line = CHUNK_SIZE.exec(this.pending.subarray(0, end).toString('latin1'));
      if (!line) throw new MalformedResponse('a bad chunk size');
      size = Number.parseInt(line[1]!, 16);
    }
    this.pending = this.pending.subarray(end + 2);
    this.remaining = size;
    this.state = this.remaining === 0 ? 'trailers' : 'chunk-data';
    return true;
  }

  private takeChunkEnd(): boolean {
    if (this.pending.length < 2) return false;
    if (this.pending[0] !== 0x0d || this.pending[1] !== 0x0a) throw new MalformedResponse('no CRLF after a chunk');
    this.pending = this.pending.subarray(2);
    this.state = 'chunk-size';
    return true;
  }

  /** Trailer lines after the last chunk, up to the empty line; checked like headers, then dropped. */
  private takeTrailers(): boolean {
    const end = this.pending.indexOf(CRLF);
    if (end < 0) {
      if (this.trailerBytes + this.pending.length > MAX_HEAD_BYTES) throw new MalformedResponse('trailers too long');
      return false;
    }
    this.trailerBytes += end + 2;
    if (this.trailerBytes > MAX_HEAD_BYTES) throw new MalformedResponse('trailers too long');
    const line = this.pending.subarray(0, end).toString('latin1');
    this.pending = this.pending.subarray(end + 2);
    if (line === '') this.state = 'done';
    else if (!HEADER_LINE.test(line)) throw new MalformedResponse('a bad trailer line');
    return true;
  }
}
