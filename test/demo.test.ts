import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from './support/cli.js';

let store: string;
beforeEach(async () => {
  store = await mkdtemp(path.join(tmpdir(), 'webhook-demo-test-'));
});
afterEach(async () => rm(store, { recursive: true, force: true }));

describe('webhook demo', () => {
  it('runs offline, non-interactively: deliveries from every seed provider verified, forwarded and logged', async () => {
    const result = await runCli(['demo', '--json', '--store', store]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const ready = lines[0];
    expect(ready.type).toBe('ready');
    const deliveries = lines.filter((l) => l.type === 'delivery');
    expect(new Set(deliveries.map((d) => d.provider))).toEqual(new Set(['paykore', 'paystack', 'koard']));
    expect(deliveries.filter((d) => d.signature === 'verified')).toHaveLength(8);
    const forged = deliveries.filter((d) => d.signature === 'failed');
    expect(forged).toMatchObject([{ provider: 'paystack', reason: 'no matching signature', status: 401 }]);
    expect(deliveries.find((d) => d.event === 'charge.dispute.create')).toMatchObject({ status: 422 });
    expect(lines.at(-1)).toMatchObject({ type: 'summary', deliveries: 9, verified: 8, forged: 1, forwarded: 9, ok: true });

    // Everything it showed is in the durable log.
    const log = await runCli(['log', '--store', ready.store, '--json', '--limit', '50']);
    // Output comes as outcomes arrive, the log in arrival order: the same deliveries either way.
    expect(log.stdout.trim().split('\n').map((l) => JSON.parse(l).id).sort()).toEqual(deliveries.map((d) => d.id).sort());
  });

  it('prints plain lines and a summary off a terminal', async () => {
    const result = await runCli(['demo', '--store', store]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/demo ok: 9 deliveries, 8 verified, 1 forged/);
    expect(result.stdout).not.toMatch(/\u001b\[/);
  });

  it('ends with a next: line, newline-terminated, that runs the way this run was started', async () => {
    const name = (JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { name: string }).name;
    // From the package folder, `webhook` not on PATH: the README's `node bin/webhook.js`.
    const plain = await runCli(['demo', '--store', store], { env: { PATH: path.dirname(process.execPath) } });
    expect(plain.code).toBe(0);
    expect(plain.stdout.endsWith('\n')).toBe(true);
    expect(plain.stderr.endsWith('\n')).toBe(true);
    expect(plain.stdout.trimEnd().split('\n').at(-1)).toBe(`next: node bin/webhook.js log --store ${store}   ·   node bin/webhook.js listen --help   ·   docs/ in the package`);

    // Run by npx: say npx and the package's name.
    const npx = await runCli(['demo', '--store', store], { env: { PATH: path.dirname(process.execPath), npm_command: 'exec' } });
    expect(npx.stdout.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`^next: npx ${name} log --store `));

    // `webhook` on PATH is this very package (npm link): the short name.
    const bin = await mkdtemp(path.join(tmpdir(), 'webhook-demo-bin-'));
    try {
      await symlink(BIN, path.join(bin, 'webhook'));
      const linked = await runCli(['demo', '--store', store], { env: { PATH: `${bin}${path.delimiter}${path.dirname(process.execPath)}` } });
      expect(linked.stdout.trimEnd().split('\n').at(-1)).toMatch(/^next: webhook log --store /);
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });
});
