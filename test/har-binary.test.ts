import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { startListenCli, type ListenProcess } from './support/listen.js';

// Issue 17 item 11: HAR export turned bodies that are not UTF-8 into U+FFFD. HAR 1.2 (spec text:
// https://github.com/ahmadnassri/har-spec/blob/master/versions/1.2.md, "content": `encoding`,
// e.g. "base64", "useful for including binary responses"; "Custom Fields": names start with "_")
// has `encoding` only on response content; postData keeps a readable text plus `_bodyBase64`.
const BINARY = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x7b, 0x22, 0xc3, 0x28, 0x0a, 0xe2, 0x82, 0x0d, 0xf0, 0x9f, 0x98]);
const ANSWER = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xfe]);

let dir: string;
let listen: ListenProcess | undefined;
let app: Server | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-har-binary-'));
});
afterEach(async () => {
  if (listen && listen.child.exitCode === null && listen.child.signalCode === null) await listen.stop();
  if (app) {
    app.closeAllConnections();
    await new Promise((resolve) => app!.close(resolve));
  }
  app = listen = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('binary bodies in log export', () => {
  it('HAR keeps the exact bytes of a request and a response that are not UTF-8; NDJSON import/export keeps them too', async () => {
    app = createServer((req, res) => {
      req.resume().on('end', () => res.writeHead(200, { 'content-type': 'image/png' }).end(ANSWER));
    });
    await new Promise<void>((resolve) => app!.listen(0, '127.0.0.1', resolve));
    const store = path.join(dir, 'store');
    listen = await startListenCli(['-p', 'paystack', '-f', `http://127.0.0.1:${(app.address() as AddressInfo).port}/hooks`, '--store', store, '--tunnel', 'none', '--self-check-interval', '0']);
    const res = await request(listen.ready.localUrl, { method: 'POST', body: BINARY, headers: { 'content-type': 'application/octet-stream' } });
    expect(Buffer.from(await res.body.arrayBuffer())).toEqual(ANSWER);
    await listen.next((e) => e.type === 'delivery');
    expect(await listen.stop()).toBe(130);

    const harOf = async (s: string) => {
      const result = await runCli(['log', 'export', '--format', 'har', '--store', s]);
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout).log.entries[0];
    };
    const entry = await harOf(store);
    expect(entry.request.postData.mimeType).toBe('application/octet-stream');
    expect(Buffer.from(entry.request.postData._bodyBase64, 'base64')).toEqual(BINARY);
    expect(entry.request.postData.comment).toMatch(/not valid UTF-8/);
    expect(entry.response.content).toMatchObject({ mimeType: 'image/png', encoding: 'base64' });
    expect(Buffer.from(entry.response.content.text, 'base64')).toEqual(ANSWER);

    // NDJSON export → import into another store → the same bytes, and the same HAR.
    const ndjson = await runCli(['log', 'export', '--store', store]);
    const file = path.join(dir, 'export.ndjson');
    await writeFile(file, ndjson.stdout);
    const [requestRecord, outcomeRecord] = ndjson.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(Buffer.from(requestRecord.bodyBase64, 'base64')).toEqual(BINARY);
    expect(Buffer.from(outcomeRecord.bodyExcerptBase64, 'base64')).toEqual(ANSWER);
    const other = path.join(dir, 'other');
    expect((await runCli(['log', 'import', file, '--store', other])).code).toBe(0);
    expect((await runCli(['log', 'export', '--store', other])).stdout).toBe(ndjson.stdout);
    expect(await harOf(other)).toEqual(entry);
  });

  it('UTF-8 bodies stay plain text, without encoding or _bodyBase64', async () => {
    const store = path.join(dir, 'store');
    const body = '{"event":"charge.success","note":"café ✓"}';
    const records = [
      { kind: 'request', id: 'd_utf8', receivedAt: 1_700_000_000_000, provider: 'paystack', event: 'charge.success', method: 'POST', path: '/', headers: { 'content-type': 'application/json' }, bodyBase64: Buffer.from(body).toString('base64'), bodySize: Buffer.byteLength(body), signature: { state: 'unknown', detail: 'no secret' } },
      { kind: 'outcome', id: 'd_utf8', at: 1_700_000_000_010, target: 'http://127.0.0.1:3000/', status: 200, headers: { 'content-type': 'application/json' }, bodyExcerptBase64: Buffer.from('{"ok":"✓"}').toString('base64'), durationMs: 1, answered: 200 },
    ];
    const file = path.join(dir, 'in.ndjson');
    await writeFile(file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    expect((await runCli(['log', 'import', file, '--store', store])).code).toBe(0);
    const entry = JSON.parse((await runCli(['log', 'export', '--format', 'har', '--store', store])).stdout).log.entries[0];
    expect(entry.request.postData).toEqual({ mimeType: 'application/json', text: body });
    expect(entry.response.content).toEqual({ size: -1, mimeType: 'application/json', text: '{"ok":"✓"}' });
  });
});
