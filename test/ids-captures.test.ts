import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDeliveryLog } from '../src/store/delivery-log.js';
import { matchesFilter } from '../src/ui/state.js';
import { ROOT, runCli } from './support/cli.js';
import { startListenCli, type ListenProcess } from './support/listen.js';
import { startStubApp, type StubApp } from './support/stub-app.js';
import { SECRETS, verifyDelivery } from './support/verifier.js';
import type { JsonRecord } from './support/json.js';

let dir: string;
let store: string;
let app: StubApp | undefined;
let listen: ListenProcess | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-ids-'));
  store = path.join(dir, 'store');
});
afterEach(async () => {
  if (listen && listen.child.exitCode === null && listen.child.signalCode === null) await listen.stop('SIGINT');
  await app?.close();
  app = listen = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** The one JSON line a command printed. */
const json = (stdout: string) => JSON.parse(stdout.trim()) as JsonRecord;
const cli = (args: string[], cwd = dir) => runCli(args, { cwd, env: { ...SECRETS } });
/** Waits until the session has logged the delivery with this id (its `--json` delivery line). */
const logged = (id: string) => listen!.next((e) => e.type === 'delivery' && e.id === id);

describe('one id per delivery across commands', () => {
  it('what trigger, resend and replay --json print is accepted by log show, resend and the view filter; the provider message id too', async () => {
    app = await startStubApp(async (r) => ({ status: (await verifyDelivery(r)).verified ? 200 : 401, body: '{"ok":true}' }));
    listen = await startListenCli(['-p', 'koard', '--secret', SECRETS.KOARD_WEBHOOK_SECRET, '-f', app.url, '--store', store]);

    // 1. trigger into the running session: the log's delivery id, with Svix's message id beside it.
    const viaSession = await cli(['trigger', 'transaction.created', '--store', store, '--json']);
    expect(viaSession.stderr).toBe('');
    const first = json(viaSession.stdout);
    expect(first).toMatchObject({ ok: true, status: 200, id: expect.stringMatching(/^d[0-9a-z]+$/), messageId: expect.stringMatching(/^msg_/) });
    await logged(first.id);
    const plain = await cli(['trigger', 'transaction.created', '--store', store]);
    const plainId = /  (d[0-9a-z]+) \((msg_\w+)\)\n/.exec(plain.stdout);
    expect(plainId, plain.stdout).not.toBeNull();

    // 2. trigger straight to the listen receiver (as the provider would): the message id is the id.
    const direct = json((await cli(['trigger', 'transaction.captured', '-p', 'koard', '--to', listen.ready.localUrl, '--json'])).stdout);
    expect(direct).toMatchObject({ ok: true, id: expect.stringMatching(/^msg_/), messageId: direct.id });

    // 3. replay --json of one built-in fixture to the receiver.
    const replayed = await cli(['replay', path.join(ROOT, 'fixtures', 'koard', 'transaction.refunded.json'), '--to', listen.ready.localUrl, '--json']);
    expect(replayed.code).toBe(0);
    const replayResult = replayed.stdout.trim().split('\n').map((l) => JSON.parse(l) as JsonRecord).find((l) => l.type === 'result')!;
    expect(replayResult.id).toMatch(/^msg_/);

    // log show accepts each printed id (and the message id), and names the same delivery.
    const show = async (id: string) => {
      const result = await cli(['log', 'show', id, '--store', store, '--json']);
      expect(result.stderr, id).toBe('');
      expect(result.code, id).toBe(0);
      return json(result.stdout).request as JsonRecord;
    };
    expect(await show(first.id)).toMatchObject({ id: first.id, messageId: first.messageId, event: 'transaction.created', source: 'trigger' });
    expect((await show(first.messageId)).id).toBe(first.id);
    const directRecord = await show(direct.id);
    expect(directRecord).toMatchObject({ messageId: direct.id, event: 'transaction.captured', source: 'provider' });
    expect(await show(replayResult.id)).toMatchObject({ messageId: replayResult.id, event: 'transaction.refunded' });
    const shownPlain = await cli(['log', 'show', plainId![1]!, '--store', store]);
    expect(shownPlain.stdout.split('\n')[0]).toContain(`${plainId![1]}  (${plainId![2]})`);

    // resend accepts the message id; what it prints is accepted by log show and by resend again.
    const resent = await cli(['resend', first.messageId, '--store', store, '--json']);
    expect(resent.stderr).toBe('');
    const again = json(resent.stdout);
    expect(again).toMatchObject({ ok: true, status: 200, id: expect.stringMatching(/^d[0-9a-z]+$/), messageId: first.messageId });
    expect(await show(again.id)).toMatchObject({ source: 'resend', replayOf: first.id, messageId: first.messageId });
    // Two deliveries now carry that message id: the newest is used, and the note says so.
    const byMessage = await cli(['log', 'show', first.messageId, '--store', store, '--json']);
    expect(json(byMessage.stdout).request.id).toBe(again.id);
    expect(byMessage.stderr).toContain(`2 deliveries carry ${first.messageId}; using the newest, ${again.id}`);
    const resentTwice = await cli(['resend', again.id, '--store', store, '--json']);
    expect(json(resentTwice.stdout)).toMatchObject({ ok: true, messageId: first.messageId });
    const directResent = await cli(['resend', direct.id, '--store', store, '--json']);
    expect(json(directResent.stdout)).toMatchObject({ ok: true, messageId: direct.id });
    expect(app.received.length).toBe(7);

    // The view's filter: each printed id (delivery or message id) selects its delivery.
    expect(await listen.stop('SIGINT')).toBe(130);
    const log = await openDeliveryLog(store);
    try {
      const rows = log.summaries(0, log.size());
      const selected = (word: string) => rows.filter((r) => matchesFilter(r, word, undefined)).map((r) => r.id);
      expect(selected(first.id)).toEqual([first.id]);
      expect(selected(again.id)).toEqual([again.id]);
      expect(selected(direct.id)).toEqual(rows.filter((r) => r.messageId === direct.id).map((r) => r.id));
      expect(selected(direct.id)).toHaveLength(2); // the delivery and its resend
      expect(selected(replayResult.id)).toHaveLength(1);
      expect(selected('msg_not_there')).toEqual([]);
    } finally {
      await log.close();
    }
  });

  it('Paystack sends no id header: its data.reference is the message id, printed by trigger and accepted by log show', async () => {
    app = await startStubApp(() => ({ status: 200 }));
    listen = await startListenCli(['-p', 'paystack', '--secret', SECRETS.PAYSTACK_SECRET_KEY, '-f', app.url, '--store', store]);
    const sent = json((await cli(['trigger', 'charge.success', '-p', 'paystack', '--to', listen.ready.localUrl, '--set', 'data.reference=ref_ids_1', '--json'])).stdout);
    expect(sent).toMatchObject({ ok: true, id: 'ref_ids_1', messageId: 'ref_ids_1' });
    const shown = await cli(['log', 'show', 'ref_ids_1', '--store', store, '--json']);
    expect(shown.code).toBe(0);
    expect(json(shown.stdout).request).toMatchObject({ messageId: 'ref_ids_1', event: 'charge.success' });
  });
});

describe('captures land where fixtures are found', () => {
  /** Capture one delivery through listen, save it from `project`, then trigger the event from there. */
  async function captureSaveTrigger(project: string, expectedFile: string) {
    app = await startStubApp(() => ({ status: 200 }));
    listen = await startListenCli(['-p', 'paystack', '--secret', SECRETS.PAYSTACK_SECRET_KEY, '-f', app.url, '--store', store]);
    // A delivery as the provider would send it, with a value no built-in fixture has.
    const sent = json((await cli(['trigger', 'charge.success', '-p', 'paystack', '--to', listen.ready.localUrl, '--set', 'data.amount=424242', '--json'], project)).stdout);
    expect(await listen.next((e) => e.type === 'delivery')).toMatchObject({ event: 'charge.success', signature: 'verified' });
    const captured = app.received[0]!.body;
    expect(await listen.stop('SIGINT')).toBe(130);
    listen = undefined;

    const saved = await cli(['log', 'save', sent.id, '--store', store], project);
    expect(saved.stderr).toBe(`replay it: webhook replay ${expectedFile} --provider paystack --to <url>\n`);
    expect(saved.code).toBe(0);
    expect(saved.stdout).toContain(`saved ${expectedFile} (${captured.length} bytes, exactly as received)`);
    expect(saved.stdout).toContain('`webhook trigger charge.success -p paystack` now sends this capture');
    expect(await readFile(path.join(project, expectedFile))).toEqual(captured);

    // trigger, from the same project, now sends the capture (byte for byte), not the built-in.
    const target = await startStubApp(async (r) => ({ status: (await verifyDelivery(r)).verified ? 200 : 401 }));
    try {
      const triggered = await cli(['trigger', 'charge.success', '-p', 'paystack', '--to', target.url], project);
      expect(triggered.code).toBe(0);
      expect(target.received[0]!.body).toEqual(captured);
      expect(JSON.parse(captured.toString('utf8')).data.amount).toBe(424242);
      const listed = await cli(['fixtures', '--provider', 'paystack', '--json'], project);
      expect(listed.stdout).toContain(expectedFile.split(path.sep).join('/').replace(/^\.\//, ''));
    } finally {
      await target.close();
    }
  }

  it('without config: log save writes ./fixtures/<provider>/<event>.json, which trigger searches by default', async () => {
    const project = path.join(dir, 'project');
    await mkdir(project);
    await captureSaveTrigger(project, path.join('fixtures', 'paystack', 'charge.success.json'));
  });

  it('with a configured fixtures folder: log save writes there, and trigger finds it', async () => {
    const project = path.join(dir, 'configured');
    await mkdir(project);
    await writeFile(path.join(project, 'webhook.config.json'), JSON.stringify({ fixtures: 'test/webhook-fixtures' }));
    await captureSaveTrigger(project, path.join('test', 'webhook-fixtures', 'paystack', 'charge.success.json'));
  });
});
