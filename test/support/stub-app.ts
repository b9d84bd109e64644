import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface StubApp {
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

/** A stand-in for the user's app: a real HTTP server on 127.0.0.1, port 0, recording every request; `answer` decides the reply. */
export async function startStubApp(answer: (req: Received) => { status: number; body?: string } | Promise<{ status: number; body?: string }> = () => ({ status: 200, body: '{"ok":true}' })): Promise<StubApp> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      received.push(r);
      void Promise.resolve(answer(r)).then(({ status, body }) => res.writeHead(status, { 'content-type': 'application/json' }).end(body ?? ''));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })),
  };
}
