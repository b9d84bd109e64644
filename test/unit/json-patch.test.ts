/**
 * The body editing seams behind --set and --data (src/payloads/json.ts) and fixture templates
 * (src/payloads/template.ts), without files or the CLI. test/fixtures-load.test.ts covers them
 * together through loadFixture.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { detectIndent, lineColumn, mergePatch, parseJsonOrExplain, parseSetFlag, refuseInexactNumbers, serialiseLike, setPath, topLevelValueSpan, typedValue } from '../../src/json-text.js';
import { neutraliseTemplates, renderTemplates, systemTemplateSource, type TemplateSource } from '../../src/payloads/template.js';

/** What --set path=value does to a body text, as patchBody applies it. */
function applySet(body: unknown, flag: string): unknown {
  const { path, value } = parseSetFlag(flag);
  return setPath(body, path, value, flag);
}

function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('--set path=value parsing', () => {
  it('splits the path on dots and keeps everything after the first "=" as the value', () => {
    expect(parseSetFlag('data.customer.email=a@b.co')).toEqual({ path: ['data', 'customer', 'email'], value: 'a@b.co' });
    expect(parseSetFlag('note=a=b=c')).toEqual({ path: ['note'], value: 'a=b=c' });
    expect(parseSetFlag('  data.amount =5000')).toEqual({ path: ['data', 'amount'], value: 5000 });
  });

  it('types the value as JSON when it parses, else keeps the text', () => {
    expect(typedValue('5000')).toBe(5000);
    expect(typedValue('-1.5e3')).toBe(-1500);
    expect(typedValue('true')).toBe(true);
    expect(typedValue('null')).toBeNull();
    expect(typedValue('"5000"')).toBe('5000');
    expect(typedValue('{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(typedValue('[]')).toEqual([]);
    expect(typedValue(' 7 ')).toBe(7);
    // Not JSON: the text itself, as typed.
    expect(typedValue('007')).toBe('007');
    expect(typedValue('NGN')).toBe('NGN');
    expect(typedValue('{oops')).toBe('{oops');
    expect(typedValue('')).toBe('');
    expect(parseSetFlag('data.reference=')).toEqual({ path: ['data', 'reference'], value: '' });
  });

  it.each(['data.amount', '=5', ' =5', 'data..amount=1', '.data=1', 'data.=1', ''])('rejects the malformed flag %j with a hint', (raw) => {
    const error = usageError(() => parseSetFlag(raw));
    expect(error.message).toBe(`malformed --set "${raw}"`);
    expect(error.hint).toMatch(/key\.path=value/);
  });
});

describe('setPath', () => {
  it('sets a nested value, creating the objects on the way, without touching the input', () => {
    const body = { event: 'charge.success', data: { amount: 100, customer: { email: 'x@y.z' } } };
    const before = structuredClone(body);
    expect(applySet(body, 'data.customer.phone=+2348000000000')).toEqual({ event: 'charge.success', data: { amount: 100, customer: { email: 'x@y.z', phone: '+2348000000000' } } });
    expect(applySet(body, 'data.meta.tags.first=a')).toMatchObject({ data: { meta: { tags: { first: 'a' } } } });
    expect(applySet(undefined, 'a.b=1')).toEqual({ a: { b: 1 } });
    expect(body).toEqual(before);
  });

  it('replaces a whole subtree, and an empty path replaces the root', () => {
    expect(applySet({ data: { a: 1, b: 2 } }, 'data={"c":3}')).toEqual({ data: { c: 3 } });
    expect(applySet({ data: { a: 1 } }, 'data=null')).toEqual({ data: null });
    expect(setPath({ a: 1 }, [], 'x', 'raw')).toBe('x');
  });

  it('indexes an existing list with a numeric key, copying it', () => {
    const body = { items: [{ sku: 'a', qty: 1 }, { sku: 'b', qty: 1 }] };
    const out = applySet(body, 'items.1.qty=3') as typeof body;
    expect(out.items).toEqual([{ sku: 'a', qty: 1 }, { sku: 'b', qty: 3 }]);
    expect(out.items).not.toBe(body.items);
    expect(body.items[1]!.qty).toBe(1);
    expect(applySet([10, 20], '0=11')).toEqual([11, 20]);
    // Past the end: the list grows, the gap serialises as null.
    expect(JSON.stringify(applySet({ l: [1] }, 'l.2=3'))).toBe('{"l":[1,null,3]}');
  });

  it('a numeric key on an object (or where nothing is) is an object key, not a new list', () => {
    expect(applySet({ data: {} }, 'data.0=x')).toEqual({ data: { '0': 'x' } });
    expect(applySet({}, 'rows.0.id=1')).toEqual({ rows: { '0': { id: 1 } } });
  });

  it.each([
    [{ data: { amount: 5 } }, 'data.amount.value=1', '"value" is inside a number'],
    [{ data: 'x' }, 'data.k=1', '"k" is inside a string'],
    [{ data: true }, 'data.k=1', '"k" is inside a boolean'],
    [{ data: null }, 'data.k=1', '"k" is inside a null'],
    [{ data: [1, 2] }, 'data.first=1', '"first" is inside a list'],
  ])('refuses to go through a non-object: %j with %s', (body, flag, words) => {
    const error = usageError(() => applySet(body, flag));
    expect(error.message).toBe(`--set ${flag}: ${words}, not an object`);
    expect(error.hint).toMatch(/set the parent instead, or use --data/);
  });
});

describe('hostile paths never reach Object.prototype', () => {
  const clean = () => {
    const probe: Record<string, unknown> = {};
    expect(probe.polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Object.prototype).not.toHaveProperty('x');
  };

  it.each(['__proto__.polluted=1', 'data.__proto__.polluted=1', 'constructor.prototype.polluted=1', 'data.constructor.prototype.x=1'])('--set %s', (flag) => {
    try {
      const out = applySet({ data: {} }, flag);
      JSON.stringify(out);
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
    }
    clean();
  });

  it('--data with "__proto__" or "constructor" members (as JSON.parse reads them)', () => {
    mergePatch({ data: {} }, JSON.parse('{"__proto__": {"polluted": 1}, "data": {"__proto__": {"x": 1}}}'));
    const out = mergePatch({}, JSON.parse('{"constructor": {"prototype": {"polluted": 1}}}'));
    expect(JSON.stringify(out)).toBe('{"constructor":{"prototype":{"polluted":1}}}');
    clean();
  });

  it('a body that has its own "__proto__" member keeps it as data through --data', () => {
    const out = mergePatch(JSON.parse('{"__proto__": {"k": 1}}'), JSON.parse('{"__proto__": {"j": 2}}'));
    expect(JSON.stringify(out)).toBe('{"__proto__":{"k":1,"j":2}}');
    clean();
  });

  it('--set __proto__.x=1 on a body without it writes a "__proto__" member', () => {
    expect(JSON.stringify(applySet({ a: 1 }, '__proto__.x=1'))).toBe('{"a":1,"__proto__":{"x":1}}');
    expect(JSON.stringify(applySet({ data: {} }, 'data.__proto__.x=1'))).toBe('{"data":{"__proto__":{"x":1}}}');
    clean();
  });

  it('--set constructor.x=1 on a body without it writes a "constructor" member', () => {
    expect(applySet({}, 'constructor.x=1')).toEqual({ constructor: { x: 1 } });
    expect(JSON.stringify(applySet({ a: 1 }, 'constructor.prototype.x=1'))).toBe('{"a":1,"constructor":{"prototype":{"x":1}}}');
    clean();
  });

  it('--data {"__proto__": …} on a body without it keeps the member (RFC 7396)', () => {
    expect(JSON.stringify(mergePatch({ a: 1 }, JSON.parse('{"__proto__": {"x": 1}}')))).toBe('{"a":1,"__proto__":{"x":1}}');
    clean();
  });
});

describe('numbers a body cannot carry exactly', () => {
  it.each(['data.amount=12345678901234567890', 'data.amount=1e400', 'data={"id": 9007199254740993}', 'data=[1, 0.10000000000000000001]'])(
    'refuses --set %s with a hint to quote it',
    (flag) => {
      const error = usageError(() => parseSetFlag(flag));
      expect(error.message.startsWith(`--set ${flag}: the number `)).toBe(true);
      expect(error.message).toMatch(/cannot be kept exactly/);
      expect(error.hint).toMatch(/^quote it to send it as a string/);
    },
  );

  it('keeps numbers that survive JSON.stringify, whatever their spelling, and quoted big ones', () => {
    for (const raw of ['5000', '-1.50', '1e3', '0.1', '-0', '9007199254740992', '123456789012345', '2.5e-7', '"12345678901234567890"', '{"n": "1e400", "m": 12.25}']) {
      expect(() => parseSetFlag(`x=${raw}`)).not.toThrow();
    }
    expect(parseSetFlag('x="12345678901234567890"').value).toBe('12345678901234567890');
    // Text that is not JSON is a string as typed: nothing is read as a number.
    expect(parseSetFlag('x=ref-12345678901234567890').value).toBe('ref-12345678901234567890');
  });

  it('checks a whole JSON text (a --data patch), numbers inside strings excepted', () => {
    expect(() => refuseInexactNumbers('{"id": "12345678901234567890", "note": "say \\"1e400\\"", "n": [1.5, -2e-3]}', 'patch.json')).not.toThrow();
    const error = usageError(() => refuseInexactNumbers('{\n  "data": {"id": 12345678901234567890}\n}', 'patch.json'));
    expect(error.message).toBe('patch.json: the number 12345678901234567890 cannot be kept exactly (JSON numbers are 64-bit floats here)');
  });
});

describe('mergePatch follows RFC 7396 (the examples of its Appendix A)', () => {
  // https://www.rfc-editor.org/rfc/rfc7396#appendix-A (RFC 7396 obsoletes RFC 7386, same semantics).
  const cases: ReadonlyArray<[string, string, string]> = [
    ['{"a":"b"}', '{"a":"c"}', '{"a":"c"}'],
    ['{"a":"b"}', '{"b":"c"}', '{"a":"b","b":"c"}'],
    ['{"a":"b"}', '{"a":null}', '{}'],
    ['{"a":"b","b":"c"}', '{"a":null}', '{"b":"c"}'],
    ['{"a":["b"]}', '{"a":"c"}', '{"a":"c"}'],
    ['{"a":"c"}', '{"a":["b"]}', '{"a":["b"]}'],
    ['{"a":{"b":"c"}}', '{"a":{"b":"d","c":null}}', '{"a":{"b":"d"}}'],
    ['{"a":[{"b":"c"}]}', '{"a":[1]}', '{"a":[1]}'],
    ['["a","b"]', '["c","d"]', '["c","d"]'],
    ['{"a":"b"}', '["c"]', '["c"]'],
    ['{"a":"foo"}', 'null', 'null'],
    ['{"a":"foo"}', '"bar"', '"bar"'],
    ['{"e":null}', '{"a":1}', '{"e":null,"a":1}'],
    ['[1,2]', '{"a":"b","c":null}', '{"a":"b"}'],
    ['{}', '{"a":{"bb":{"ccc":null}}}', '{"a":{"bb":{}}}'],
  ];
  it.each(cases)('%s + %s = %s', (target, patch, result) => {
    const original = JSON.parse(target) as unknown;
    const out = mergePatch(original, JSON.parse(patch));
    expect(out).toEqual(JSON.parse(result));
    expect(original).toEqual(JSON.parse(target)); // the target is not changed in place
  });

  it('a list in the patch replaces the list in the target whole (no element merge)', () => {
    expect(mergePatch({ items: [{ a: 1 }, { b: 2 }] }, { items: [{ c: 3 }] })).toEqual({ items: [{ c: 3 }] });
  });
});

describe('serialising in the original style', () => {
  it('detects the indentation of the first member line', () => {
    expect(detectIndent('{\n  "a": 1\n}')).toBe('  ');
    expect(detectIndent('{\n\t"a": 1\n}')).toBe('\t');
    expect(detectIndent('\n  [\n    1\n  ]')).toBe('    ');
    expect(detectIndent('{"a":1}')).toBe('');
    expect(detectIndent('"text"')).toBe('');
  });

  it('keeps compact bodies compact and the trailing newline (LF or CRLF) as it was', () => {
    expect(serialiseLike({ a: 1, b: [1] }, '{"a":0}')).toBe('{"a":1,"b":[1]}');
    expect(serialiseLike({ a: 1 }, '{\n    "a": 0\n}\n')).toBe('{\n    "a": 1\n}\n');
    expect(serialiseLike({ a: 1 }, '{"a":0}\r\n')).toBe('{"a":1}\r\n');
  });
});

describe('locating values and errors in JSON text', () => {
  it('finds the exact text of a top-level value, past strings holding quotes and brackets', () => {
    const text = '{ "$fixture": {"note": "a \\"}\\" ]"}, "body" :  {"x": [1, {"y": "}"}]} , "z": 1}';
    const span = topLevelValueSpan(text, 'body')!;
    expect(text.slice(span.start, span.end)).toBe('{"x": [1, {"y": "}"}]}');
    const scalar = topLevelValueSpan('{"a": 12.5e3 , "b": true}', 'a')!;
    expect('{"a": 12.5e3 , "b": true}'.slice(scalar.start, scalar.end)).toBe('12.5e3');
    expect(topLevelValueSpan('{"a": {"body": 1}}', 'body')).toBeUndefined(); // nested keys do not count
    expect(topLevelValueSpan('[{"body": 1}]', 'body')).toBeUndefined();
    expect(topLevelValueSpan('{}', 'body')).toBeUndefined();
  });

  it('counts lines and columns from 1', () => {
    expect(lineColumn('ab\ncd\n', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd\n', 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumn('ab\ncd\n', 6)).toEqual({ line: 3, column: 1 });
  });

  it('explains invalid JSON at the position of the located text', () => {
    expect(parseJsonOrExplain('{"a":1}', 'f.json')).toEqual({ a: 1 });
    const error = usageError(() => parseJsonOrExplain('{\n  "a": 1,\n  "b" 2\n}', 'f.json'));
    expect(error.message).toBe('f.json:3:7: invalid JSON: unexpected "2"');
    expect(error.hint).toBe('fix the JSON in f.json at line 3, column 7');
  });
});

describe('templates', () => {
  let n = 0;
  const fixed: TemplateSource = { clock: { now: () => Date.UTC(2026, 0, 2, 3, 4, 5, 678), monotonic: () => 0 }, uuid: () => `uuid-${++n}`, int: () => 42, ref: () => 'ref_fixed' };

  it('fills each occurrence with its own value and leaves other braces alone', () => {
    n = 0;
    expect(renderTemplates('{{uuid}} {{ uuid }} {{now}} {{unix}} {{random.int}} {{ref}} {{1x}} {x}', fixed, 'f.json')).toBe('uuid-1 uuid-2 2026-01-02T03:04:05.678Z 1767323045 42 ref_fixed {{1x}} {x}');
    const text = '{"plain": true}';
    expect(renderTemplates(text, fixed, 'f.json')).toBe(text);
  });

  it('names the file and lists the known templates for an unknown one', () => {
    const error = usageError(() => renderTemplates('{"a":"{{uuid}}", "b":"{{nonce}}"}', fixed, 'fixtures/x.json'));
    expect(error.message).toBe('fixtures/x.json: unknown template {{nonce}}');
    expect(error.hint).toBe('use one of {{uuid}}, {{now}}, {{unix}}, {{random.int}}, {{ref}}');
  });

  it('neutralises templates to same-length text that parses as a number and inside a string', () => {
    const text = '{"n": {{ random.int }}, "s": "{{uuid}}"}';
    const neutral = neutraliseTemplates(text);
    expect(neutral).toHaveLength(text.length);
    expect(JSON.parse(neutral)).toEqual({ n: 1e15, s: '10000000' }); // 16 and 8 characters
    expect(neutraliseTemplates('{"a": 1}')).toBe('{"a": 1}');
  });

  it('the system source gives v4 UUIDs, whole numbers in [1, 1e9) and ref_ + 12 lower-case letters or digits', () => {
    const source = systemTemplateSource(fixed.clock);
    expect(source.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (let i = 0; i < 50; i++) {
      const int = source.int();
      expect(Number.isInteger(int) && int >= 1 && int < 1e9).toBe(true);
      expect(source.ref()).toMatch(/^ref_[a-z0-9]{12}$/);
    }
    expect(source.clock).toBe(fixed.clock);
  });
});
