import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { openDeliveryLog } from '../src/store/delivery-log.js';
import { harExport, ndjsonExport, newestDeliveries } from '../src/store/export.js';
import { mergeRecords, parseExport } from '../src/store/import.js';
import { redactBody } from '../src/store/redact.js';
import type { Delivery, OutcomeRecord, RequestRecord } from '../src/store/types.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-export-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

function request(id: string, body: Buffer): RequestRecord {
  return { kind: 'request', id, receivedAt: 1_700_000_000_000, provider: 'paystack', event: 'charge.success', method: 'POST', path: '/hooks', headers: { host: 'example.test', 'content-type': 'application/json' }, bodyBase64: body.toString('base64'), bodySize: body.length, signature: { state: 'verified' } };
}
function outcome(id: string, status: number): OutcomeRecord {
  return { kind: 'outcome', id, at: 1_700_000_000_010, target: 'http://127.0.0.1:3000/hooks', status, durationMs: 3, answered: status };
}

describe('store export and import', () => {
  it('an NDJSON export reads back as the same records, and merging skips the ids a log already has', async () => {
    const deliveries: Delivery[] = [
      { request: request('d1', Buffer.from('{"a":1}')), outcome: outcome('d1', 200) },
      { request: request('d2', Buffer.from('{"a":2}')) },
    ];
    const text = ndjsonExport(deliveries);
    expect(parseExport(text, 'x.ndjson')).toEqual([deliveries[0]!.request, deliveries[0]!.outcome, deliveries[1]!.request]);

    const log = await openDeliveryLog(dir, { command: 'test' });
    try {
      await log.appendRequest(request('d1', Buffer.from('{"a":1}')));
      expect(await mergeRecords(log, parseExport(text, 'x.ndjson'))).toEqual({ added: 1, skipped: 1 });
      const { deliveries: back, listed } = await newestDeliveries(log);
      expect(listed).toBe(2);
      expect(back.map((d) => [d.request.id, d.outcome?.status])).toEqual([
        ['d1', undefined], // its outcome came with a request the log already had: skipped with it
        ['d2', undefined],
      ]);
      expect((await newestDeliveries(log, 1)).deliveries.map((d) => d.request.id)).toEqual(['d2']);
    } finally {
      await log.close();
    }
  });

  it('a bad line names the file and line, and nothing is parsed', () => {
    const good = `${JSON.stringify(request('d1', Buffer.from('{}')))}\n`;
    expect(() => parseExport(`${good}{"kind":"nope"}\n`, 'x.ndjson')).toThrow(UsageError);
    expect(() => parseExport(`${good}not json\n`, 'x.ndjson')).toThrow(/^x\.ndjson:2: not a JSON record; nothing was imported$/);
  });

  it('HAR keeps UTF-8 bodies as text and other bytes exactly, in _bodyBase64', () => {
    const binary = Buffer.from([0xff, 0x00, 0x80]);
    const har = JSON.parse(harExport([{ request: request('d1', Buffer.from('{"a":1}')), outcome: outcome('d1', 202) }, { request: request('d2', binary) }])) as {
      log: { version: string; entries: { request: { url: string; postData: { text: string; _bodyBase64?: string } }; response: { status: number } }[] };
    };
    expect(har.log.version).toBe('1.2');
    const [first, second] = har.log.entries;
    expect(first!.request.url).toBe('http://example.test/hooks');
    expect(first!.request.postData).toEqual({ mimeType: 'application/json', text: '{"a":1}' });
    expect(first!.response.status).toBe(202);
    expect(Buffer.from(second!.request.postData._bodyBase64!, 'base64')).toEqual(binary);
  });

  it('redaction replaces each path and keeps the body in its own style', () => {
    const body = Buffer.from('{\n    "data": {\n        "email": "a@b.co",\n        "amount": 5000\n    }\n}\n');
    expect(redactBody(body, ['data.email']).toString('utf8')).toBe('{\n    "data": {\n        "email": "[redacted]",\n        "amount": 5000\n    }\n}\n');
    expect(() => redactBody(body, ['data.phone'])).toThrow(/"data\.phone" is not in this body/);
    expect(() => redactBody(Buffer.from('a=1'), ['a'])).toThrow(/needs a JSON body/);
  });
});
