// Loopback servers the benchmarks send to: an app that answers 200 after reading the body,
// and a minimal undici passthrough proxy (the baseline for `listen`).
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));
}

function closer(server, extra = async () => {}) {
  return async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await extra();
  };
}

/** An app that drains the body and answers 200 {"ok":true}; counts requests. */
export async function startApp() {
  let count = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  const url = await listen(server);
  return { url, count: () => count, close: closer(server) };
}

/** The smallest faithful forwarder: raw body in, undici request out, answer relayed. */
export async function startPassthroughProxy(target) {
  const dispatcher = new Agent({ connections: 256 });
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      try {
        const headers = { ...req.headers };
        delete headers.host;
        delete headers.connection;
        const answer = await request(new URL(req.url, target), { method: req.method, headers, body: Buffer.concat(chunks), dispatcher });
        const body = Buffer.from(await answer.body.arrayBuffer());
        res.writeHead(answer.statusCode, { 'content-type': answer.headers['content-type'] ?? 'application/octet-stream' }).end(body);
      } catch {
        res.writeHead(502).end();
      }
    });
  });
  const url = await listen(server);
  return { url, close: closer(server, () => dispatcher.close()) };
}
