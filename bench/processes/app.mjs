// An app that drains the body and answers 200 {"ok":true}; prints its port on stdout.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
