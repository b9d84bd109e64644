import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture } from '../src/payloads/load.js';
import { parseSetFlag } from '../src/json-text.js';
import { parseExpectation, expectationHolds } from '../src/payloads/expect.js';
import type { TemplateSource } from '../src/payloads/template.js';
import { UsageError } from '../src/errors.js';

let dir: string;
let n = 0;
const fixed: TemplateSource = { clock: { now: () => 1_700_000_000_123, monotonic: () => 0 }, uuid: () => `uuid-${++n}`, int: () => 42, ref: () => 'ref_abc' };
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

async function fixture(name: string, content: string): Promise<string> {
  const file = path.join(dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-fixtures-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadFixture', () => {
  it('returns the file bytes exactly when nothing is applied', async () => {
    const body = '{ "event":"charge.success",\n\t"data": {"amount": 1e2, "big": 12345678901234567890, "u": "\\u00e9"} }\n';
    const file = await fixture('paystack/charge.success.json', body);
    const loaded = await loadFixture({ file, templates: fixed });
    expect(text(loaded.body)).toBe(body);
    expect(loaded.event).toBe('charge.success');
  });

  it('fills templates textually, quoted or not, each occurrence fresh', async () => {
    const file = await fixture('t.json', '{"id":"{{uuid}}","id2":"{{uuid}}","at":"{{now}}","ts":{{unix}},"n":{{random.int}},"ref":"{{ ref }}"}');
    const loaded = await loadFixture({ file, templates: fixed });
    expect(JSON.parse(text(loaded.body))).toEqual({ id: expect.stringMatching(/^uuid-/), id2: expect.stringMatching(/^uuid-/), at: '2023-11-14T22:13:20.123Z', ts: 1700000000, n: 42, ref: 'ref_abc' });
    const parsed = JSON.parse(text(loaded.body)) as { id: string; id2: string };
    expect(parsed.id).not.toBe(parsed.id2);
  });

  it('unwraps an envelope: body bytes as written, meta read', async () => {
    const file = await fixture('env.json', '{\n  "$fixture": {"expect": [200, 202], "provider": "koard", "event": "x.y", "headers": {"X-Run": "1"}},\n  "body": {"type": "x.y",   "data": {}}\n}\n');
    const loaded = await loadFixture({ file, templates: fixed });
    expect(text(loaded.body)).toBe('{"type": "x.y",   "data": {}}');
    expect(loaded).toMatchObject({ event: 'x.y', provider: 'koard', meta: { expect: { kind: 'status', statuses: [200, 202] }, headers: { 'x-run': '1' } } });
    const raw = await fixture('raw.json', '{"$fixture": {"expect": "4xx"}, "rawBody": "not json {{ref}}"}');
    expect(text((await loadFixture({ file: raw, templates: fixed })).body)).toBe('not json ref_abc');
  });

  it('applies --data then --set, typed, and serialises once in the original indentation', async () => {
    const file = await fixture('o.json', '{\n    "event": "charge.success",\n    "data": {"amount": 100, "customer": {"email": "x@y.z"}}\n}\n');
    const set = Object.fromEntries(['data.amount=5000', 'data.customer.email=a@b.co', 'data.flag=true'].map(parseSetFlag).map(({ path: p, value }) => [p.join('.'), value]));
    const loaded = await loadFixture({ file, templates: fixed, data: { data: { currency: 'NGN', customer: null } }, set });
    expect(text(loaded.body)).toBe(`${JSON.stringify({ event: 'charge.success', data: { amount: 5000, currency: 'NGN', customer: { email: 'a@b.co' }, flag: true } }, null, '    ')}\n`);
  });

  it('names the file, line and column of invalid JSON', async () => {
    const file = await fixture('bad.json', '{\n  "a": {{unix}},\n  "b" 2\n}');
    const error = await loadFixture({ file, templates: fixed }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(`${file}:3:7: invalid JSON: unexpected "2"`);
  });

  it('words invalid JSON the same on every Node version (V8 rewords its own messages)', async () => {
    const file = await fixture('short.json', '{\n  "a": 1,\n');
    const error = await loadFixture({ file, templates: fixed }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`${file}:3:1: invalid JSON: unexpected end of input`);
  });

  it('finds a provider event in user folders before others', async () => {
    await fixture('a/paystack/charge.success.json', '{"from":"a"}');
    await fixture('b/paystack/charge.success.json', '{"from":"b"}');
    const loaded = await loadFixture({ provider: 'paystack', event: 'charge.success', fixtures: [path.join(dir, 'b'), path.join(dir, 'a')], templates: fixed });
    expect(text(loaded.body)).toBe('{"from":"b"}');
    await expect(loadFixture({ provider: 'paystack', event: 'nope', fixtures: [dir] })).rejects.toThrow(/no fixture for paystack event "nope"/);
  });
});

describe('expectations', () => {
  it('reads statuses, classes and lists', () => {
    expect(expectationHolds(parseExpectation('2xx', 'x'), 204)).toBe(true);
    expect(expectationHolds(parseExpectation(200, 'x'), 201)).toBe(false);
    expect(expectationHolds(parseExpectation('200,409', 'x'), 409)).toBe(true);
    expect(() => parseExpectation('ok', 'x')).toThrow(UsageError);
  });
});
