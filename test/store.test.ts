import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { LOG_FILE, newDeliveryId, openDeliveryLog } from '../src/store/delivery-log.js';
import type { OutcomeRecord, RequestRecord } from '../src/store/types.js';
import { ROOT } from './support/cli.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-store-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

function request(id: string, body: string, event = 'charge.success'): RequestRecord {
  return { kind: 'request', id, receivedAt: 1_700_000_000_000, provider: 'paystack', event, method: 'POST', path: '/', headers: { 'x-paystack-signature': 'abc' }, bodyBase64: Buffer.from(body).toString('base64'), bodySize: body.length, signature: { state: 'verified' } };
}
function outcome(id: string, status: number): OutcomeRecord {
  return { kind: 'outcome', id, at: 1_700_000_000_010, target: 'http://127.0.0.1:3000/hooks', status, durationMs: 3, answered: status };
}

describe('DeliveryLog', () => {
  it('appends, reopens with summaries, loads full records by offset, resolves partial ids and searches bodies', async () => {
    const log = await openDeliveryLog(dir);
    const ids = [newDeliveryId(systemClock), newDeliveryId(systemClock), newDeliveryId(systemClock)];
    await Promise.all([log.appendRequest(request(ids[0]!, '{"a": 1}')), log.appendRequest(request(ids[1]!, 'needle here', 'transfer.success'))]);
    await log.appendOutcome(outcome(ids[0]!, 200));
    await log.appendRequest(request(ids[2]!, '{}'));
    await log.appendOutcome(outcome(ids[1]!, 500));
    await log.close();
    expect((await stat(path.join(dir, LOG_FILE))).mode & 0o777).toBe(0o600);

    const again = await openDeliveryLog(dir);
    expect(again.warnings).toEqual([]);
    expect(again.size()).toBe(3);
    expect(again.summaries(0, 3).map((s) => [s.id, s.status])).toEqual([[ids[0], 200], [ids[1], 500], [ids[2], undefined]]);
    const loaded = await again.load(ids[1]!);
    expect(Buffer.from(loaded!.request.bodyBase64, 'base64').toString()).toBe('needle here');
    expect(loaded!.outcome?.status).toBe(500);
    expect(again.resolveId(ids[2]!.slice(6, 13))).toEqual([ids[2]]);
    expect(again.resolveId('d')).toHaveLength(3);
    expect([...(await again.searchBodies('needle'))]).toEqual([ids[1]]);
    await again.close();
  });

  it('skips and reports a torn last record, keeps the rest, and appends cleanly after it', async () => {
    const log = await openDeliveryLog(dir);
    await log.appendRequest(request('d1', '{"ok":true}'));
    await log.close();
    await appendFile(path.join(dir, LOG_FILE), '{"kind":"request","id":"d2","bodyBa'); // killed mid-write
    const reopened = await openDeliveryLog(dir);
    expect(reopened.warnings).toHaveLength(1);
    expect(reopened.warnings[0]).toMatch(/torn last record at line 2/);
    expect(reopened.size()).toBe(1);
    await reopened.appendRequest(request('d3', '{}'));
    await reopened.close();
    const third = await openDeliveryLog(dir);
    expect(third.summaries(0, 10).map((s) => s.id)).toEqual(['d1', 'd3']);
    expect(third.warnings).toEqual([expect.stringMatching(/unreadable record at line 2/)]);
    await third.close();
  });

  it('loses no acknowledged record when the writer is killed with SIGKILL mid-burst', async () => {
    const script = path.join(dir, 'writer.mjs');
    const module = path.join(ROOT, 'dist/store/delivery-log.js');
    await writeFile(
      script,
      `import { openDeliveryLog } from ${JSON.stringify(module)};
const log = await openDeliveryLog(process.argv[2]);
const body = Buffer.from(JSON.stringify({ event: 'charge.success', pad: 'x'.repeat(2000) })).toString('base64');
for (let i = 0; ; i++) {
  const id = 'k' + String(i).padStart(7, '0');
  await Promise.all([0, 1, 2, 3].map((j) => log.appendRequest({ kind: 'request', id: id + j, receivedAt: Date.now(), provider: 'paystack', method: 'POST', path: '/', headers: {}, bodyBase64: body, bodySize: 2000, signature: { state: 'unknown', detail: '' } })));
  process.stdout.write([0, 1, 2, 3].map((j) => id + j).join('\\n') + '\\n');
}
`,
    );
    const store = path.join(dir, 'store');
    const child = spawn(process.execPath, [script, store], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acknowledged: string[] = [];
    await new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (id) => {
        acknowledged.push(id);
        if (acknowledged.length === 2000) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((resolve) => child.once('exit', resolve));
    const log = await openDeliveryLog(store);
    const present = new Set(log.summaries(0, log.size()).map((s) => s.id));
    expect(acknowledged.filter((id) => !present.has(id))).toEqual([]);
    expect(log.warnings.every((w) => w.includes('torn last record'))).toBe(true);
    await log.appendRequest(request('after-crash', '{}'));
    await log.close();
    const lines = (await readFile(path.join(store, LOG_FILE), 'utf8')).trimEnd().split('\n');
    expect(JSON.parse(lines.at(-1)!).id).toBe('after-crash');
  });
});
