import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { startListenCli } from './support/listen.js';
import { startStubApp, type StubApp } from './support/stub-app.js';

const SECRET = 'sk_test_capture_suite';
const sign = (body: string | Buffer) => createHmac('sha512', SECRET).update(body).digest('hex');
let dir: string;
let store: string;
let app: StubApp;
let capturedId: string;
const body = '{ "event" : "charge.success",\n  "data": {"amount": 5000, "reference": "T1", "customer": {"email": "ada@example.com"}} }\n';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-capture-'));
  store = path.join(dir, 'store');
  // A verifying app: 200 only for a correct Paystack signature over the raw bytes.
  app = await startStubApp((r) => ({ status: r.headers['x-paystack-signature'] === sign(r.body) ? 200 : 401 }));
  const listen = await startListenCli(['-p', 'paystack', '--secret', SECRET, '-f', `${app.url}/hooks`, '--store', store]);
  await request(listen.ready.localUrl, { method: 'POST', body, headers: { 'x-paystack-signature': sign(body) } }).then((r) => r.body.dump());
  capturedId = (await listen.next((e) => e.type === 'delivery')).id;
  await listen.stop();
});
afterAll(async () => {
  await app.close();
  await rm(dir, { recursive: true, force: true });
});

describe('capture → fixture → replay', () => {
  it('log save writes the body exactly as received, and replaying it verifies byte for byte', async () => {
    const file = path.join(dir, 'fixtures', 'paystack', 'captured.json');
    const saved = await runCli(['log', 'save', capturedId, '--as', file, '--store', store]);
    expect(saved.code).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(body);
    expect((await runCli(['log', 'save', capturedId, '--as', file, '--store', store])).code).toBe(2); // no overwrite without --force
    const before = app.received.length;
    const replayed = await runCli(['replay', path.join(dir, 'fixtures'), '--to', `${app.url}/hooks`, '--secret', SECRET, '--json']);
    expect(replayed.code).toBe(0);
    expect(app.received[before]!.body.toString()).toBe(body);
  });

  it('log save --redact replaces personal data, keeping the body’s formatting otherwise', async () => {
    const file = path.join(dir, 'redacted.json');
    expect((await runCli(['log', 'save', capturedId, '--as', file, '--redact', 'data.customer.email', '--store', store])).code).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(JSON.parse(text).data.customer.email).toBe('[redacted]');
    expect(text).not.toContain('ada@example.com');
    const missing = await runCli(['log', 'save', capturedId, '--as', path.join(dir, 'x.json'), '--redact', 'data.nope', '--store', store]);
    expect(missing.code).toBe(2);
  });
});

describe('edited resend', () => {
  it('--set changes the body, re-signs it (the app verifies it) and links it to the original', async () => {
    const before = app.received.length;
    const result = await runCli(['resend', capturedId, '--set', 'data.amount=1', '--secret', SECRET, '--store', store, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 200, ok: true });
    const sent = JSON.parse(app.received[before]!.body.toString());
    expect(sent.data.amount).toBe(1);
    const shown = JSON.parse((await runCli(['log', 'show', capturedId, '--store', store, '--json'])).stdout);
    expect(shown.replays).toEqual([expect.objectContaining({ source: 'resend', status: 200 })]);
  });

  it('--edit opens $EDITOR on the body and sends what was saved, re-signed', async () => {
    const before = app.received.length;
    const result = await runCli(['resend', capturedId, '--edit', '--secret', SECRET, '--store', store], { env: { EDITOR: `sed -i -e 's/T1/EDITED/'` } });
    expect(result.code).toBe(0);
    expect(app.received[before]!.body.toString()).toContain('"reference": "EDITED"');
  });
});

describe('log export and import', () => {
  it('exports NDJSON that imports into another store, and HAR that HTTP tools read', async () => {
    const exported = await runCli(['log', 'export', '--store', store]);
    expect(exported.code).toBe(0);
    const file = path.join(dir, 'session.ndjson');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, exported.stdout));
    const other = path.join(dir, 'other');
    const imported = await runCli(['log', 'import', file, '--store', other]);
    expect(imported.stdout).toMatch(/imported \d+ deliveries/);
    const ids = async (s: string) => (await runCli(['log', '--store', s, '--json', '--limit', '100'])).stdout.trim().split('\n').map((l) => JSON.parse(l).id);
    expect(await ids(other)).toEqual(await ids(store));
    expect((await runCli(['log', 'import', file, '--store', other])).stdout).toMatch(/imported 0 deliveries .*already there/);

    const har = JSON.parse((await runCli(['log', 'export', '--format', 'har', '--store', store])).stdout);
    expect(har.log.version).toBe('1.2');
    expect(har.log.entries[0].request.postData.text).toBe(body);
    expect(har.log.entries[0].response.status).toBe(200);
  });
});
