// A minimal logging proxy with listen's semantics (a reference for `webhook listen`, not a
// baseline): the body verified (HMAC-SHA512, Paystack's header), its event name read (JSON.parse),
// a request record with the body as base64 appended before forwarding and an outcome record
// before answering (group-committed: the records of one turn in one write), forwarded with an
// undici Pool's dispatch, one NDJSON line per delivery on stdout (one write per turn).
// Arguments: target URL, log file, secret. Prints its port on stdout first.
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { openSync, writeSync } from 'node:fs';
import { createServer } from 'node:http';
import { Pool } from 'undici';

const [target, file, secret] = process.argv.slice(2);
const key = createSecretKey(Buffer.from(secret));
const fd = openSync(file, 'a');
const pool = new Pool(target, { connections: 256 });

let pending = [];
const commit = () => {
  const batch = pending;
  pending = [];
  writeSync(fd, batch.map((p) => p.line).join(''));
  for (const p of batch) p.resolve();
};
const append = (record) =>
  new Promise((resolve) => {
    if (pending.length === 0) setImmediate(commit);
    pending.push({ line: `${JSON.stringify(record)}\n`, resolve });
  });
let out = [];
const print = (line) => {
  if (out.length === 0)
    setImmediate(() => {
      const text = out.join('');
      out = [];
      process.stdout.write(text);
    });
  out.push(line);
};

function forward(path, method, headers, body) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let status = 0;
    let raw = [];
    pool.dispatch(
      { path, method, headers, body },
      {
        onConnect() {},
        onHeaders(code, rawHeaders) {
          status = code;
          raw = rawHeaders;
          return true;
        },
        onData(chunk) {
          chunks.push(chunk);
          return true;
        },
        onComplete() {
          const answerHeaders = {};
          for (let i = 0; i < raw.length; i += 2) answerHeaders[String(raw[i]).toLowerCase()] = String(raw[i + 1]);
          resolve({ status, headers: answerHeaders, body: Buffer.concat(chunks) });
        },
        onError: reject,
      },
    );
  });
}

let sequence = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const body = Buffer.concat(chunks);
    const given = Buffer.from(String(req.headers['x-paystack-signature'] ?? ''), 'hex');
    const expected = createHmac('sha512', key).update(body).digest();
    const verified = given.length === expected.length && timingSafeEqual(given, expected);
    let event;
    try {
      event = JSON.parse(body.toString('utf8')).event;
    } catch {}
    const id = `d${Date.now().toString(36)}${(sequence++).toString(36)}`;
    const request = { kind: 'request', id, receivedAt: Date.now(), provider: 'paystack', event, method: req.method, path: req.url, headers: req.headers, bodyBase64: body.toString('base64'), bodySize: body.length, signature: { state: verified ? 'verified' : 'failed' }, source: 'provider' };
    await append(request);
    const { host, connection, 'content-length': _, ...headers } = req.headers;
    const started = performance.now();
    let outcome;
    let answer;
    try {
      answer = await forward(req.url, req.method, headers, body);
      outcome = { kind: 'outcome', id, target, at: Date.now(), status: answer.status, headers: answer.headers, bodyExcerptBase64: answer.body.toString('base64'), durationMs: Math.round((performance.now() - started) * 10) / 10, answered: answer.status };
    } catch (error) {
      answer = { status: 502, headers: {}, body: Buffer.alloc(0) };
      outcome = { kind: 'outcome', id, target, at: Date.now(), error: { kind: 'other', message: String(error) }, answered: 502 };
    }
    await append(outcome);
    print(`${JSON.stringify({ type: 'delivery', id, event, signature: request.signature.state, status: outcome.status, answered: outcome.answered, durationMs: outcome.durationMs })}\n`);
    res.writeHead(outcome.answered, { 'content-type': answer.headers['content-type'] ?? 'application/json' }).end(answer.body);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
