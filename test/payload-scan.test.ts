/**
 * The receiver reads the event name and message id of a body by scanning it (no full parse):
 * the scan must say exactly what JSON.parse would, for any bytes, or hand the body back to it.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deliveryFields } from '../src/listen/delivery-fields.js';
import { BUILTIN_PROVIDERS } from '../src/providers/index.js';
import { messageIdOf } from '../src/providers/message-id.js';
import { scanJson, type ScannedValue, type ScanResult } from '../src/providers/payload-scan.js';
import { paystack } from '../src/providers/paystack.js';
import type { HeaderRecord } from '../src/signing/types.js';

/** What JSON.parse says for the same bytes and paths. */
function reference(bytes: Buffer, paths: readonly (readonly string[])[]): ScanResult {
  let payload: unknown;
  try {
    payload = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { json: false };
  }
  const values = paths.map((keys): ScannedValue | undefined => {
    let node: unknown = payload;
    for (const key of keys) {
      if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, key)) return undefined;
      node = (node as Record<string, unknown>)[key];
    }
    return typeof node === 'string' ? { kind: 'string', value: node } : typeof node === 'number' ? { kind: 'number', value: node } : { kind: 'other' };
  });
  return { json: true, values };
}

const PATHS = [['event'], ['data', 'reference']] as const;
const same = (text: string | Buffer, paths: readonly (readonly string[])[] = PATHS) => {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  expect(scanJson(bytes, paths), JSON.stringify(bytes.toString('utf8').slice(0, 200))).toEqual(reference(bytes, paths));
};

describe('scanJson', () => {
  it('finds a top-level string and a nested one, as JSON.parse gives them', () => {
    expect(scanJson(Buffer.from('{"data":{"reference":"r1","x":[1,{"event":"no"}]},"event":"charge.success"}'), PATHS)).toEqual({
      json: true,
      values: [
        { kind: 'string', value: 'charge.success' },
        { kind: 'string', value: 'r1' },
      ],
    });
  });

  it('reads escaped keys and values the way JSON.parse decodes them', () => {
    same('{"\\u0065vent":"a\\"b\\u00e9\\n"}');
    same('{"ev\\u0065nt":"x","event":"y"}');
    same('{"event":"y","ev\\u0065nt":"x"}');
    same('{"e\\"vent":"x"}');
    same('{"event\\u0000":"x"}');
    same('{"évent":"x","event":"\\ud800"}');
    expect(scanJson(Buffer.from('{"\\u0065vent":"a"}'), [['event']])).toEqual({ json: true, values: [{ kind: 'string', value: 'a' }] });
  });

  it('does not take an "event" key nested in another value', () => {
    for (const text of ['{"data":{"event":"inner"}}', '{"list":[{"event":"inner"}]}', '[{"event":"inner"}]', '{"x":"\\"event\\":\\"inner\\""}', '{"data":{"reference":{"event":"x"}}}']) {
      same(text);
      const result = scanJson(Buffer.from(text), PATHS);
      expect(result?.json && result.values[0]).toBeUndefined();
    }
  });

  it('lets the last of duplicate keys win, at every level', () => {
    same('{"event":"first","event":"second"}');
    same('{"event":"first","event":7}');
    same('{"event":"first","event":{"a":1}}');
    same('{"data":{"reference":"a"},"data":{"other":1}}');
    same('{"data":{"reference":"a"},"data":"flat"}');
    same('{"data":{"reference":"a","reference":"b"}}');
    same('{"data":{"reference":"a"},"data":{"reference":12.5e1}}');
  });

  it('says "not JSON" exactly when JSON.parse throws, for non-object and odd bodies', () => {
    const bodies = [
      '', ' ', 'null', 'true', 'false', '0', '-0', '-', '01', '1.', '.5', '1e', '1e+', '1E-2', '"str"', '[]', '[1,]', '{}', '{,}', '{"a":1,}', '{"a" 1}', '{"a":}',
      '{"a":1}}', '{"a":1} x', ' {"event":"x"} \n\t\r', '{"event":"x"', '{"event":"x\n"}', '{"event":"\\x"}', '{"event":"\\u12G4"}', '{"event":"\\u123"}',
      '{"event":nul}', '{"event":tru}', '{"event":NaN}', '{"event":Infinity}', "{'event':'x'}", '{event:"x"}', '\uFEFF{"event":"x"}', '{"event":"x"}\u00a0',
      '{"event":"\u2028"}', '{"a":[1,2,[3,[4]]],"event":"x"}', '{"event":"x",}', '[', ']', '{"a":1 "b":2}', '{"event":+1}', '{"event":-01}', '{"event":1.5E+3}',
    ];
    for (const body of bodies) same(body);
    same(Buffer.from([0x7b, 0x22, 0x65, 0x76, 0x65, 0x6e, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xc3, 0x22, 0x7d])); // invalid UTF-8 in a value
    same(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]));
    same(Buffer.from([0x7b, 0x22, 0x65, 0x76, 0x65, 0x6e, 0x74, 0x22, 0x3a, 0x22, 0x78, 0x22, 0x7d, 0x00]));
  });

  it('agrees with JSON.parse on every fixture and on random damage to them', async () => {
    const root = path.resolve('fixtures');
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const alphabet = Buffer.from('{}[]":,\\u0123456789abcdefeEtrn.-+ \n\t\x01\xff');
    for (const provider of await readdir(root)) {
      for (const file of (await readdir(path.join(root, provider))).filter((f) => f.endsWith('.json'))) {
        const bytes = await readFile(path.join(root, provider, file));
        same(bytes, [['event'], ['type'], ['data', 'id'], ['data', 'reference'], ['id']]);
        for (let i = 0; i < 20; i++) {
          const damaged = Buffer.from(bytes);
          for (let j = 0; j < 1 + Math.floor(random() * 3); j++) damaged[Math.floor(random() * damaged.length)] = alphabet[Math.floor(random() * alphabet.length)]!;
          same(damaged, [['event'], ['type'], ['data', 'id']]);
        }
      }
    }
  });

  it('scans huge bodies whole (the event after megabytes of other data) and any nesting depth', () => {
    const big = `{"data":{"blob":"${'x'.repeat(4 * 1024 * 1024)}","list":[${Array.from({ length: 50_000 }, (_, i) => `{"event":${i}}`).join(',')}]},"event":"late"}`;
    same(big);
    same(`${big.slice(0, -1)}`);
    const deep = `{"event":"x","a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    same(deep);
    same(`{"event":"x","a":${'['.repeat(100_000)}}`);
    same(`{"event":"x","data":${'{"reference":'.repeat(10_000)}"r"${'}'.repeat(10_000)}}`, [['event'], ['data', 'reference'], ['data', 'reference', 'reference']]);
    expect(deliveryFields(paystack, Buffer.from(deep), {}, true)).toEqual({ event: 'x', messageId: undefined });
    expect(deliveryFields(paystack, Buffer.from(`{"event":"x","a":${'['.repeat(100_000)}}`), {}, true)).toEqual({ event: undefined, messageId: undefined });
  });
});

describe('deliveryFields', () => {
  /** What the receiver read before the scan: the body parsed whole. */
  function parsedWhole(profile: (typeof BUILTIN_PROVIDERS)[number], body: Buffer, headers: HeaderRecord) {
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      return { event: undefined, messageId: messageIdOf(profile, body, headers, { payload: undefined }) };
    }
    return { event: profile.eventType(payload, headers), messageId: messageIdOf(profile, body, headers, { payload }) };
  }

  it('reads the same event and message id as parsing, for every built-in provider and fixture', async () => {
    for (const profile of BUILTIN_PROVIDERS) {
      const dir = path.resolve('fixtures', profile.name);
      const files = await readdir(dir).catch(() => [] as string[]);
      for (const file of files.filter((f) => f.endsWith('.json'))) {
        const body = await readFile(path.join(dir, file));
        const headers = { 'content-type': 'application/json' };
        expect(deliveryFields(profile, body, headers, true), `${profile.name}/${file}`).toEqual(parsedWhole(profile, body, headers));
      }
    }
  });

  it('takes a message id header first, numbers as ids, and no event for a body that is not whole', () => {
    const body = Buffer.from('{"event":"charge.success","data":{"reference":42}}');
    expect(deliveryFields(paystack, body, {}, true)).toEqual({ event: 'charge.success', messageId: '42' });
    expect(deliveryFields(paystack, body, { 'webhook-id': 'msg_1' }, true)).toEqual({ event: 'charge.success', messageId: 'msg_1' });
    expect(deliveryFields(paystack, body, {}, false)).toEqual({ event: undefined, messageId: '42' });
    expect(deliveryFields(paystack, Buffer.from('{"event":"x","data":{"reference":""}}'), {}, true)).toEqual({ event: 'x', messageId: undefined });
  });

  it('reads a form-encoded body as before', () => {
    const form = { ...paystack, name: 'form' };
    expect(deliveryFields(form, Buffer.from('event=paid&x=1'), { 'content-type': 'application/x-www-form-urlencoded' }, true)).toEqual({ event: 'paid', messageId: undefined });
    expect(deliveryFields(form, Buffer.from('event=paid'), { 'content-type': 'text/plain' }, true)).toEqual({ event: undefined, messageId: undefined });
  });
});
