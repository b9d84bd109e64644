import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerOptions } from 'node:http';
import type { AddressInfo } from 'node:net';
import { humanBytes } from '../quantity.js';

/** A raw HTTP server listening: its base URL and port, and a close that may be called any number of times. */
export interface HttpServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Stop listening and close every connection, idle or not; idempotent. */
  close(): Promise<void>;
}

export interface HttpServerOptions {
  readonly port?: number | undefined;
  readonly host?: string | undefined;
  /** node:http's server options (e.g. how often idle connections are checked). */
  readonly server?: ServerOptions;
  /** Set the server up before it listens (timeouts, connection guards, more listeners). */
  readonly setUp?: (server: Server) => void;
  /**
   * On close, let requests in progress finish this long (idle connections close at once); without
   * it every connection closes at once.
   */
  readonly graceMs?: number;
}

/**
 * Serve `handler` on host:port (default 127.0.0.1 and a free port chosen by the OS). Rejects with
 * the listen error (EADDRINUSE, EACCES) when the address cannot be had.
 */
export async function startHttpServer(handler: RequestListener, options: HttpServerOptions = {}): Promise<HttpServer> {
  const server = createServer(options.server ?? {}, handler);
  options.setUp?.(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    server,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        if (options.graceMs === undefined) return server.closeAllConnections();
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), options.graceMs).unref();
      })),
  };
}

/** A request body over the reader's limit. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the request is over ${humanBytes(limit)}`);
  }
}

/**
 * A request body of at most `max` bytes. Over it, BodyTooLargeError: by default at once (reading
 * stops and the connection is dropped); with `drain`, once the sender has sent it all (nothing over
 * the limit is kept), so an answer can still reach a sender that writes its whole body first.
 */
export async function readBody(req: IncomingMessage, max: number, options: { readonly drain?: boolean } = {}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= max) chunks.push(chunk);
    else if (!options.drain) throw new BodyTooLargeError(max);
  }
  if (size > max) throw new BodyTooLargeError(max);
  return Buffer.concat(chunks);
}
