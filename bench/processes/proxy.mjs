// The smallest faithful forwarder (the baseline for `webhook listen`): raw body in, undici
// request out with the same headers, the answer relayed. Target URL in argv[2]; prints its port.
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

const target = process.argv[2];
const dispatcher = new Agent({ connections: 256 });
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    try {
      const headers = { ...req.headers };
      delete headers.host;
      delete headers.connection;
      delete headers['content-length'];
      const answer = await request(new URL(req.url, target), { method: req.method, headers, body: Buffer.concat(chunks), dispatcher });
      const body = Buffer.from(await answer.body.arrayBuffer());
      res.writeHead(answer.statusCode, { 'content-type': answer.headers['content-type'] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(502).end();
    }
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
