import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { parseHttpUrl } from '../src/input.js';
import { countOf, humanBytes, humanDuration } from '../src/quantity.js';
import { checkTimestamp } from '../src/signing/timestamp.js';
import { runCli } from './support/cli.js';

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('quantities in messages', () => {
  it('agree in number', () => {
    expect(countOf(1, 'event')).toBe('1 event');
    expect(countOf(0, 'event')).toBe('0 events');
    expect(countOf(24, 'event')).toBe('24 events');
    expect(countOf(1, 'delivery', 'deliveries')).toBe('1 delivery');
    expect(countOf(2, 'delivery', 'deliveries')).toBe('2 deliveries');
  });

  it('durations read in the largest unit, with the next one when it matters', () => {
    expect(humanDuration(95_645_936)).toBe('3 years');
    expect(humanDuration(360)).toBe('6 min');
    expect(humanDuration(400)).toBe('6 min 40 s');
    expect(humanDuration(300)).toBe('5 min');
    expect(humanDuration(301)).toBe('5 min 1 s');
    expect(humanDuration(45)).toBe('45 s');
    expect(humanDuration(0)).toBe('0 s');
    expect(humanDuration(7_200)).toBe('2 h');
    expect(humanDuration(3 * 86_400 + 5)).toBe('3 days');
    expect(humanDuration(86_400)).toBe('1 day');
  });

  it('sizes read in binary units', () => {
    expect(humanBytes(1)).toBe('1 byte');
    expect(humanBytes(512)).toBe('512 bytes');
    expect(humanBytes(1536)).toBe('1.5 KiB');
    expect(humanBytes(1024 * 1024)).toBe('1 MiB');
    expect(humanBytes(50 * 1024 * 1024)).toBe('50 MiB');
  });
});

describe('stale and future timestamps', () => {
  const now = 1_764_000_000;
  it('say how old in human units, not seconds', () => {
    const old = checkTimestamp(String(now - 95_645_936), now, 300);
    expect(old).toMatchObject({ ok: false, reason: 'timestamp too old', detail: 'timestamp is 3 years old; the limit is 5 min' });
    const late = checkTimestamp(String(now - 360), now, 300);
    expect(late).toMatchObject({ detail: 'timestamp is 6 min old; the limit is 5 min' });
    const ahead = checkTimestamp(String(now + 301), now, 300);
    expect(ahead).toMatchObject({ reason: 'timestamp in the future', detail: 'timestamp is 5 min 1 s ahead; the limit is 5 min' });
  });
});

describe('URL flags', () => {
  it('a URL without its scheme is refused with the fixed URL in the hint', () => {
    const e = usageError(() => parseHttpUrl('--to', 'localhost:3000/hooks'));
    expect(e.message).toBe('--to "localhost:3000/hooks" has no scheme (http:// or https://)');
    expect(e.hint).toBe('write --to http://localhost:3000/hooks');
    expect(usageError(() => parseHttpUrl('--forward-to', '127.0.0.1:3000')).hint).toBe('write --forward-to http://127.0.0.1:3000');
    expect(usageError(() => parseHttpUrl('--forward-to', '[::1]:3000/w')).hint).toBe('write --forward-to http://[::1]:3000/w');
    expect(usageError(() => parseHttpUrl('--public-url', 'hooks.example.dev')).hint).toBe('write --public-url https://hooks.example.dev');
    expect(usageError(() => parseHttpUrl('--route', 'localhost:4000/t', { write: (u) => `--route 'transfer.*=${u}'` })).hint).toBe("write --route 'transfer.*=http://localhost:4000/t'");
  });

  it('other schemes and non-URLs still say what is wrong', () => {
    expect(usageError(() => parseHttpUrl('--to', 'ftp://x')).message).toBe('--to must be an http(s) URL, got "ftp://x"');
    expect(usageError(() => parseHttpUrl('--to', 'http://')).message).toMatch(/^--to is not a URL/);
    expect(usageError(() => parseHttpUrl('--to', 'not a url')).message).toBe('--to is not a URL: "not a url"');
  });

  it('full URLs pass unchanged', () => {
    expect(parseHttpUrl('--to', 'http://localhost:3000/hooks').toString()).toBe('http://localhost:3000/hooks');
    expect(parseHttpUrl('--to', 'https://hooks.example.dev/x?y=1').toString()).toBe('https://hooks.example.dev/x?y=1');
    expect(parseHttpUrl('--to', 'http://[::1]:3000/w').hostname).toBe('[::1]');
  });
});

describe('the built CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'webhook-messages-'));
    await mkdir(path.join(dir, 'fx', 'stripe'), { recursive: true });
    await writeFile(path.join(dir, 'fx', 'stripe', 'payment_intent.succeeded.json'), '{"type":"payment_intent.succeeded","data":{"object":{}}}');
    await writeFile(path.join(dir, 'webhook.config.json'), '{"fixtures": "fx"}');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('says "1 event", not "1 events"', async () => {
    const providers = await runCli(['providers'], { cwd: dir });
    expect(providers.code).toBe(0);
    expect(providers.stdout).toMatch(/^stripe +1 event  /m);
    expect(providers.stdout).toMatch(/^paystack +\d+ events /m);
    const unknown = await runCli(['trigger', 'nope', '-p', 'stripe', '--to', 'http://127.0.0.1:9', '-s', 'whsec_x'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/lists its 1 event\n$/);
  });

  it('a short flag means one thing in every command (-f is listen --forward-to only)', async () => {
    const help = async (args: string[]) => (await runCli([...args, '--help'])).stdout;
    const commands = [...(await help([])).split('Commands:')[1]!.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    const meaning = new Map<string, Set<string>>();
    for (const command of commands) {
      for (const [, short, long] of (await help([command])).matchAll(/^ {2}(-[a-zA-Z]), (--[a-z-]+)/gm)) {
        if (!meaning.has(short!)) meaning.set(short!, new Set());
        meaning.get(short!)!.add(long!);
      }
    }
    // -n is "how many" everywhere (trigger --count, log --limit), as in head -n.
    const clashes = [...meaning].filter(([short, longs]) => longs.size > 1 && short !== '-n').map(([short, longs]) => `${short}: ${[...longs].join(', ')}`);
    expect(clashes).toEqual([]);
    expect([...meaning.get('-f')!]).toEqual(['--forward-to']);
    const sign = await runCli(['sign', '-p', 'paystack', '-s', 'sk_test_x', '-f', 'body.json']);
    expect(sign.code).toBe(2);
    expect(sign.stderr).toMatch(/unknown option '-f'/);
  });

  it('repeatable flags show no "(default: [])" in --help', async () => {
    for (const command of ['listen', 'check', 'verify', 'resend']) {
      const help = (await runCli([command, '--help'])).stdout;
      expect(help, command).not.toContain('default: []');
    }
  });
});
