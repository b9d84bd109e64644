// The baseline scripts the benchmarks compare `webhook` with: the smallest honest programs doing
// the same work (read the body from its file, sign it with HMAC-SHA512 as Paystack does, send it
// with the same headers, check for 200). Written into a temp folder per run, started as whole
// processes like the command; `checkSameWork` proves, before any timing, that each one sends the
// very requests the command sends (bodies, signature, headers).
import { createHmac } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, timeProcess } from './lib.mjs';

/** The headers Paystack sends (and `webhook` sends as Paystack), lower-case. */
export const PAYSTACK_HEADERS = ['content-type', 'user-agent', 'x-paystack-signature'];
export const paystackSignature = (secret, body) => createHmac('sha512', secret).update(body).digest('hex');

const UNDICI = pathToFileURL(createRequire(path.join(ROOT, 'package.json')).resolve('undici')).href;

// Shared head of every script: Paystack's headers for a body, its HMAC-SHA512 signature among them.
const HEAD = `import { createHmac } from 'node:crypto';
const headersFor = (secret, body) => ({ 'content-type': 'application/json', 'user-agent': 'Paystack/1.0', 'x-paystack-signature': createHmac('sha512', secret).update(body).digest('hex') });
`;

const SCRIPTS = {
  /** One event, node:http: read, sign, POST, check 200. argv: file url secret */
  'send-http.mjs': `${HEAD}import { readFileSync } from 'node:fs';
import { request } from 'node:http';
const [file, url, secret] = process.argv.slice(2);
const body = readFileSync(file);
const req = request(url, { method: 'POST', headers: { ...headersFor(secret, body), 'content-length': body.length } }, (res) => {
  res.resume();
  res.on('end', () => {
    process.stdout.write(\`\${res.statusCode}\\n\`);
    if (res.statusCode !== 200) process.exitCode = 1;
  });
});
req.on('error', (error) => { console.error(error.message); process.exitCode = 1; });
req.end(body);
`,
  /** One event, fetch: read, sign, POST, check 200. argv: file url secret */
  'send-fetch.mjs': `${HEAD}import { readFileSync } from 'node:fs';
const [file, url, secret] = process.argv.slice(2);
const body = readFileSync(file);
const res = await fetch(url, { method: 'POST', body, headers: headersFor(secret, body) });
await res.text();
process.stdout.write(\`\${res.status}\\n\`);
if (res.status !== 200) process.exitCode = 1;
`,
  /** Every fixture in a folder on an undici Pool, dispatch with a plain handler. argv: dir url secret inFlight */
  'replay-pool.mjs': `${HEAD}import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Pool } from ${JSON.stringify(UNDICI)};
const [dir, url, secret, inFlight] = process.argv.slice(2);
const target = new URL(url);
const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(dir, f));
const pool = new Pool(target.origin, { connections: Number(inFlight) });
const send = (body) => new Promise((resolve, reject) => {
  let status = 0;
  pool.dispatch({ origin: target.origin, path: target.pathname + target.search, method: 'POST', headers: headersFor(secret, body), body }, {
    onRequestStart() {},
    onResponseStart(controller, statusCode) { status = statusCode; },
    onResponseData() {},
    onResponseEnd() { if (status === 200) resolve(); else reject(new Error(\`status \${status}\`)); },
    onResponseError(controller, error) { reject(error); },
  });
});
let next = 0;
async function worker() {
  while (next < files.length) await send(await readFile(files[next++]));
}
await Promise.all(Array.from({ length: Number(inFlight) }, worker));
await pool.close();
process.stdout.write(\`\${files.length} sent\\n\`);
`,
  /** Every fixture in a folder over raw keep-alive sockets (HTTP/1.1 written by hand). argv: dir url secret inFlight */
  'replay-socket.mjs': `${HEAD}import { readdir, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
const [dir, url, secret, inFlight] = process.argv.slice(2);
const target = new URL(url);
const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(dir, f));
const END = Buffer.from('\\r\\n\\r\\n');
/** Length of the whole response at the start of buf (status line, headers, body), or -1 while incomplete. */
function responseLength(buf) {
  const head = buf.indexOf(END);
  if (head < 0) return -1;
  const text = buf.subarray(0, head).toString('latin1').toLowerCase();
  const length = /\\r\\ncontent-length: *(\\d+)/.exec(text);
  if (length) return buf.length >= head + 4 + Number(length[1]) ? head + 4 + Number(length[1]) : -1;
  let at = head + 4; // chunked
  for (;;) {
    const eol = buf.indexOf('\\r\\n', at);
    if (eol < 0) return -1;
    const size = parseInt(buf.subarray(at, eol).toString('latin1'), 16);
    if (size === 0) return buf.length >= eol + 4 ? eol + 4 : -1;
    at = eol + 2 + size + 2;
    if (at > buf.length) return -1;
  }
}
async function worker() {
  const socket = connect(Number(target.port), target.hostname);
  socket.setNoDelay(true);
  let buf = Buffer.alloc(0);
  let waiting;
  socket.on('data', (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    const n = responseLength(buf);
    if (n < 0) return;
    const status = Number(buf.subarray(9, 12).toString('latin1'));
    buf = buf.subarray(n);
    const w = waiting;
    waiting = undefined;
    if (status === 200) w.resolve(); else w.reject(new Error(\`status \${status}\`));
  });
  socket.on('error', (error) => waiting?.reject(error));
  socket.on('close', () => waiting?.reject(new Error('the server closed the connection')));
  while (next < files.length) {
    const body = await readFile(files[next++]);
    const headers = headersFor(secret, body);
    const head = \`POST \${target.pathname}\${target.search} HTTP/1.1\\r\\nhost: \${target.host}\\r\\ncontent-type: \${headers['content-type']}\\r\\nuser-agent: \${headers['user-agent']}\\r\\nx-paystack-signature: \${headers['x-paystack-signature']}\\r\\ncontent-length: \${body.length}\\r\\n\\r\\n\`;
    await new Promise((resolve, reject) => {
      waiting = { resolve, reject };
      socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
    });
  }
  socket.end();
}
let next = 0;
await Promise.all(Array.from({ length: Number(inFlight) }, worker));
process.stdout.write(\`\${files.length} sent\\n\`);
`,
  /** The reference for \`webhook sign\`: sign a body and print the headers, nothing else. argv: body secret */
  'sign.mjs': `${HEAD}const [body, secret] = process.argv.slice(2);
for (const [name, value] of Object.entries(headersFor(secret, Buffer.from(body)))) process.stdout.write(\`\${name}: \${value}\\n\`);
`,
  /** The floor for any ES module script. */
  'empty.mjs': '',
};

let template;
/**
 * A realistic Paystack body (~1.2 KB): the built-in charge.success fixture with its templates
 * filled by fixed values (so the command and the scripts send identical bytes), number `i`.
 */
export async function paystackBody(i = 0) {
  template ??= await readFile(path.join(ROOT, 'fixtures/paystack/charge.success.json'), 'utf8');
  const values = { 'random.int': String(4_000_000_000 + i), ref: `ref_bench_${String(i).padStart(8, '0')}`, now: new Date(1_764_000_000_000 + i * 1000).toISOString() };
  return Buffer.from(template.replace(/\{\{([a-z.]+)\}\}/g, (whole, name) => values[name] ?? whole));
}

/** `count` distinct Paystack fixtures in `dir`/paystack (where `webhook replay` takes the provider from the folder); returns that folder. */
export async function writeFixtures(dir, count) {
  const folder = path.join(dir, 'paystack');
  await mkdir(folder, { recursive: true });
  for (let i = 0; i < count; i++) await writeFile(path.join(folder, `e${String(i).padStart(6, '0')}.json`), await paystackBody(i));
  return folder;
}

/** Write every baseline script into `dir`; returns their paths by name (without .mjs). */
export async function writeBaselines(dir) {
  const paths = {};
  for (const [name, text] of Object.entries(SCRIPTS)) {
    const file = path.join(dir, name);
    await writeFile(file, text);
    paths[name.replace(/\.mjs$/, '')] = file;
  }
  return paths;
}

/** A loopback server in this process that records every request (method, path, headers, body) and answers 200. */
export function startCapture() {
  const seen = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method, path: req.url, headers: Object.fromEntries(PAYSTACK_HEADERS.map((h) => [h, req.headers[h]])), body: Buffer.concat(chunks).toString('base64') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        take: () => seen.splice(0).sort((a, b) => (a.body < b.body ? -1 : a.body > b.body ? 1 : 0)),
        close: () =>
          new Promise((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      }),
    ),
  );
}

/**
 * Run each case once against a capture server (`args(url)` gives its argv) and fail unless all
 * of them sent the same requests: same count, bodies, signature and headers. The first case is
 * the reference (the `webhook` command).
 */
export async function checkSameWork(cases, env) {
  const capture = await startCapture();
  try {
    let reference;
    for (const c of cases) {
      await timeProcess(c.command, c.args(`${capture.url}/webhooks`), { env });
      const sent = JSON.stringify(capture.take());
      if (sent === '[]') throw new Error(`${c.name} sent nothing`);
      reference ??= { name: c.name, sent };
      if (sent !== reference.sent) throw new Error(`${c.name} does not send what ${reference.name} sends (bodies, signature or headers differ)`);
    }
  } finally {
    await capture.close();
  }
}
