import { createHmac } from 'node:crypto';
import { appendFile, chmod, chown, mkdir, mkdtemp, open, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { startReceiver } from '../src/listen/receiver.js';
import { providerRegistry } from '../src/providers/index.js';
import { LOG_FILE, LogWriteError, newDeliveryId, openDeliveryLog, type AppendHandle } from '../src/store/delivery-log.js';
import type { OutcomeRecord, RequestRecord } from '../src/store/types.js';
import { runCli } from './support/cli.js';
import { startListenCli } from './support/listen.js';
import { startStubApp } from './support/stub-app.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-store-hard-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

function request(id: string, body = '{"event":"charge.success"}'): RequestRecord {
  return { kind: 'request', id, receivedAt: 1_700_000_000_000, provider: 'paystack', event: 'charge.success', method: 'POST', path: '/', headers: {}, bodyBase64: Buffer.from(body).toString('base64'), bodySize: body.length, signature: { state: 'verified' } };
}
const outcome = (id: string, status = 200): OutcomeRecord => ({ kind: 'outcome', id, at: 1_700_000_000_010, target: 'http://127.0.0.1:3000/', status, durationMs: 1, answered: status });

/** The real append handle, with writes that go wrong on demand (a full disk, in effect). */
async function faultyHandle(file: string, fault: { next?: 'short' | 'enospc' }): Promise<AppendHandle> {
  const real = await open(file, 'a', 0o600);
  return {
    write: (async (buffer: Buffer) => {
      const kind = fault.next;
      fault.next = undefined;
      if (kind === 'enospc') throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      if (kind === 'short') {
        const half = buffer.subarray(0, Math.floor(buffer.length / 2));
        await real.write(half); // a torn record really is on disk
        return { bytesWritten: half.length, buffer };
      }
      return real.write(buffer);
    }) as AppendHandle['write'],
    truncate: (len) => real.truncate(len),
    stat: (() => real.stat()) as AppendHandle['stat'],
    close: () => real.close(),
  };
}

describe('a write that fails or is short (disk full)', () => {
  it('is never acknowledged, its torn bytes are cut off, and later records stay readable', async () => {
    const fault: { next?: 'short' | 'enospc' } = {};
    const log = await openDeliveryLog(dir, { openAppend: (f) => faultyHandle(f, fault) });
    const [a, b, c, d] = [0, 1, 2, 3].map(() => newDeliveryId(systemClock)) as [string, string, string, string];
    await log.appendRequest(request(a));
    fault.next = 'short';
    await expect(log.appendRequest(request(b))).rejects.toThrow(/short write .*\(is the disk full\?\)/);
    fault.next = 'enospc';
    await expect(log.appendRequest(request(c))).rejects.toThrow(LogWriteError);
    await expect(log.appendOutcome(outcome(a))).resolves.toBeUndefined();
    await log.appendRequest(request(d));
    await log.close();

    const text = await readFile(path.join(dir, LOG_FILE), 'utf8');
    expect(text.split('\n').filter(Boolean).map((l) => JSON.parse(l).id)).toEqual([a, a, d]);
    const again = await openDeliveryLog(dir, { access: 'read' });
    expect(again.warnings).toEqual([]);
    expect(again.summaries(0, again.size()).map((s) => [s.id, s.status])).toEqual([[a, 200], [d, undefined]]);
    expect((await again.load(d))?.request.id).toBe(d);
    await again.close();
  });

  it('makes listen answer 503 without forwarding, with a line saying why', async () => {
    const fault: { next?: 'short' | 'enospc' } = {};
    const log = await openDeliveryLog(dir, { openAppend: (f) => faultyHandle(f, fault) });
    const app = await startStubApp();
    const problems: string[] = [];
    const receiver = await startReceiver({ profile: providerRegistry().get('paystack')!, secret: () => undefined, forwardTo: new URL(app.url), log, clock: systemClock, onProblem: (m) => problems.push(m) });
    try {
      fault.next = 'enospc';
      const res = await fetch(receiver.url, { method: 'POST', body: '{"event":"charge.success"}' });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(app.received).toHaveLength(0);
      expect(problems).toEqual([expect.stringMatching(/could not record a delivery .*the disk is full.*answered 503, not forwarded/)]);
      expect((await fetch(receiver.url, { method: 'POST', body: '{"event":"charge.success"}' })).status).toBe(200);
      expect(app.received).toHaveLength(1);
    } finally {
      await receiver.close();
      await app.close();
      await log.close();
    }
  });
});

describe('records read back are checked, not cast', () => {
  it('skips and reports invalid records (a planted or damaged line), never fatally, in the log and in `webhook log`', async () => {
    const good = newDeliveryId(systemClock);
    await writeFile(
      path.join(dir, LOG_FILE),
      [JSON.stringify(request(good)), '{"kind":"request","id":"evil1"}', 'null', '[1,2]', '{"kind":"outcome","id":"evil1","answered":"x"}', JSON.stringify(outcome(good, 201)), ''].join('\n'),
      { mode: 0o600 },
    );
    const log = await openDeliveryLog(dir, { access: 'read' });
    expect(log.summaries(0, log.size()).map((s) => [s.id, s.status])).toEqual([[good, 201]]);
    expect(log.warnings).toHaveLength(4);
    expect(log.warnings[0]).toMatch(/skipped an invalid record at line 2 .*\(receivedAt: /);
    await log.close();
    const cli = await runCli(['log', '--store', dir, '--json']);
    expect(cli.code).toBe(0);
    expect(cli.stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual([good]);
    expect((await runCli(['log', 'show', good, '--store', dir])).code).toBe(0);
  });

  it('log import writes nothing when any record of its input is invalid', async () => {
    const existing = newDeliveryId(systemClock);
    const log = await openDeliveryLog(dir);
    await log.appendRequest(request(existing));
    await log.close();
    const before = await readFile(path.join(dir, LOG_FILE));
    const input = path.join(dir, 'import.ndjson');
    await writeFile(input, `${JSON.stringify(request(newDeliveryId(systemClock)))}\n{"kind":"request","id":"evil1"}\n`);
    const result = await runCli(['log', 'import', input, '--store', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/import\.ndjson:2: not a delivery record .*nothing was imported/);
    expect(await readFile(path.join(dir, LOG_FILE))).toEqual(before);
  });
});

describe('the store folder', () => {
  it('refuses a folder writable by others, and a log file replaced by a symbolic link', async () => {
    const shared = path.join(dir, 'shared');
    await mkdir(shared);
    await chmod(shared, 0o777);
    await expect(openDeliveryLog(shared)).rejects.toThrow(/writable by other users \(mode 777\)/);
    const listen = await runCli(['listen', '-p', 'paystack', '-f', 'http://127.0.0.1:9/', '--tunnel', 'none', '--store', shared]);
    expect(listen.code).toBe(2);
    expect(listen.stderr).toMatch(/error: the store .* is writable by other users \(mode 777\)\nhint: make it private with `chmod 700/);

    const mine = path.join(dir, 'mine');
    await mkdir(mine, { mode: 0o700 });
    const elsewhere = path.join(dir, 'stolen.ndjson');
    await writeFile(elsewhere, '');
    await symlink(elsewhere, path.join(mine, LOG_FILE));
    await expect(openDeliveryLog(mine)).rejects.toThrow(/is a symbolic link/);
    expect(await readFile(elsewhere, 'utf8')).toBe('');
  });

  it.runIf(process.getuid?.() === 0)('refuses a folder that belongs to another user', async () => {
    const theirs = path.join(dir, 'theirs');
    await mkdir(theirs, { mode: 0o700 });
    await chown(theirs, 65534, 65534);
    await expect(openDeliveryLog(theirs)).rejects.toThrow(/belongs to another user \(uid 65534\)/);
  });
});

describe('one writer per store', () => {
  it('refuses a second listen on the same store, and lets readers read while it writes', async () => {
    const app = await startStubApp();
    const first = await startListenCli(['-p', 'paystack', '--secret', 'sk_test_x', '-f', app.url, '--tunnel', 'none', '--store', dir, '--self-check-interval', '0']);
    try {
      const second = await runCli(['listen', '-p', 'paystack', '--secret', 'sk_test_x', '-f', app.url, '--tunnel', 'none', '--store', dir]);
      expect(second.code).toBe(2);
      expect(second.stderr).toMatch(new RegExp(`error: the store .* is in use by \`webhook listen\` \\(pid ${first.child.pid}\\)`));
      const importFile = path.join(dir, 'in.ndjson');
      await writeFile(importFile, `${JSON.stringify(request(newDeliveryId(systemClock)))}\n`);
      const imported = await runCli(['log', 'import', importFile, '--store', dir]);
      expect(imported.code).toBe(2);
      expect(imported.stderr).toMatch(/in use by `webhook listen`/);
      await fetch(first.ready.localUrl, { method: 'POST', body: '{"event":"charge.success"}' });
      const delivered = await first.next((e) => e.type === 'delivery');
      const read = await runCli(['log', 'show', delivered.id, '--store', dir]);
      expect(read.code).toBe(0);
    } finally {
      expect(await first.stop()).not.toBeNull();
      await app.close();
    }
    // The lock went with the session: a new writer is welcome.
    const after = await openDeliveryLog(dir);
    await after.close();
  });

  it('resend while listen writes the store goes through the session: unchanged bytes as recorded, an edited body signed with the session’s secret', async () => {
    const secret = 'sk_test_session_only';
    const sign = (b: Buffer | string) => createHmac('sha512', secret).update(b).digest('hex');
    const app = await startStubApp((r) => ({ status: r.headers['x-paystack-signature'] === sign(r.body) ? 200 : 401, body: '{}' }));
    // The secret is the session's alone: resend gets no --secret and no environment variable.
    const session = await startListenCli(['-p', 'paystack', '--secret', secret, '-f', app.url, '--tunnel', 'none', '--store', dir, '--self-check-interval', '0']);
    try {
      const body = '{"event":"charge.success","data":{"amount":100}}';
      expect((await fetch(session.ready.localUrl, { method: 'POST', body, headers: { 'x-paystack-signature': sign(body) } })).status).toBe(200);
      const original = await session.next((e) => e.type === 'delivery');
      const same = await runCli(['resend', original.id, '--store', dir, '--json']);
      expect(same.stderr).toBe('');
      expect(JSON.parse(same.stdout)).toMatchObject({ ok: true, status: 200 });
      expect(app.received[1]!.body.toString()).toBe(body);
      expect(app.received[1]!.headers['x-paystack-signature']).toBe(app.received[0]!.headers['x-paystack-signature']);
      const edited = await runCli(['resend', original.id, '--store', dir, '--set', 'data.amount=5000', '--json']);
      expect(edited.stderr).toBe('');
      expect(JSON.parse(edited.stdout)).toMatchObject({ ok: true, status: 200 });
      expect(JSON.parse(app.received[2]!.body.toString())).toEqual({ event: 'charge.success', data: { amount: 5000 } });
      const logged = await session.next((e) => e.type === 'delivery' && e.source === 'resend' && e.id !== JSON.parse(same.stdout).id);
      expect(logged).toMatchObject({ replayOf: original.id, signature: 'verified' });
      const elsewhere = await runCli(['resend', original.id, '--store', dir, '--to', app.url]);
      expect(elsewhere.code).toBe(2);
      expect(elsewhere.stderr).toMatch(/a listen session \(pid \d+\) is writing this store: a resend goes through it/);
    } finally {
      await session.stop();
      await app.close();
    }
  });

  it('re-indexes when another writer appended behind its back: every delivery still opens', async () => {
    const log = await openDeliveryLog(dir);
    const [mine1, theirs, mine2] = [0, 1, 2].map(() => newDeliveryId(systemClock)) as [string, string, string];
    await log.appendRequest(request(mine1, '{"n":1}'));
    // An older version of the tool (no lock) appends to the same file.
    await appendFile(path.join(dir, LOG_FILE), `${JSON.stringify(request(theirs, '{"n":"theirs"}'))}\n${JSON.stringify(outcome(theirs, 202))}\n`);
    await log.appendRequest(request(mine2, '{"n":2}'));
    await log.appendOutcome(outcome(mine1, 200));
    expect(log.summaries(0, log.size()).map((s) => [s.id, s.status])).toEqual([[mine1, 200], [theirs, 202], [mine2, undefined]]);
    for (const [id, body] of [[mine1, '{"n":1}'], [theirs, '{"n":"theirs"}'], [mine2, '{"n":2}']] as const) {
      expect(Buffer.from((await log.load(id))!.request.bodyBase64, 'base64').toString()).toBe(body);
    }
    expect(log.warnings).toEqual([expect.stringMatching(/grew under this process/)]);
    await log.close();
    const show = await runCli(['log', 'show', theirs, '--store', dir]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('theirs');
  });
});

it('exports are written for the owner only', async () => {
  const log = await openDeliveryLog(dir);
  await log.appendRequest(request(newDeliveryId(systemClock)));
  await log.close();
  const out = path.join(dir, 'export.ndjson');
  expect((await runCli(['log', 'export', '-o', out, '--store', dir])).code).toBe(0);
  expect((await stat(out)).mode & 0o777).toBe(0o600);
});
