import { createHmac } from 'node:crypto';
import { access, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_FILE } from '../src/listen/session.js';
import { SESSION_TOKEN_HEADER, type InjectRequest, type SessionInfo } from '../src/session-protocol.js';
import { runCli } from './support/cli.js';
import { startListenCli, type ListenProcess } from './support/listen.js';
import { startStubApp, type StubApp } from './support/stub-app.js';

const PAYSTACK_SECRET = 'sk_test_trigger';
const KOARD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const PRETTY = '{\n  "type": "transaction.created",\n  "data": {\n    "id": "txn_1",\n    "amount": 1500,\n    "note": "caf\\u00e9",\n    "big": 123456789012345678901234567890\n  }\n}\n';

let dir: string;
let store: string;
let servers: StubApp[] = [];
const paystackValid = (r: { headers: Record<string, unknown>; body: Buffer }) =>
  r.headers['x-paystack-signature'] === createHmac('sha512', PAYSTACK_SECRET).update(r.body).digest('hex');

async function serve(...args: Parameters<typeof startStubApp>): Promise<StubApp> {
  const server = await startStubApp(...args);
  servers.push(server);
  return server;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-trigger-'));
  store = path.join(dir, 'store');
  await mkdir(store);
  const files: Record<string, string> = {
    'paystack/charge.success.json': '{"event":"charge.success","data":{"id":{{random.int}},"reference":"{{ref}}","amount":10000,"currency":"NGN","customer":{"email":"old@example.com"}}}',
    'paystack/transfer.success.json': '{"event":"transfer.success","data":{"reference":"{{ref}}"}}',
    'koard/transaction.created.json': PRETTY,
    'koard/transfer.success.json': '{"type":"transfer.success","data":{}}',
  };
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, 'fx', name)), { recursive: true });
    await writeFile(path.join(dir, 'fx', name), text);
  }
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  await rm(path.join(store, SESSION_FILE), { force: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const trigger = (args: string[], env: Record<string, string> = {}) => runCli(['trigger', ...args, '--fixtures', path.join(dir, 'fx')], { env: { WEBHOOK_STORE: store, ...env }, cwd: dir });

describe('webhook trigger', () => {
  it('signs with the provider scheme and prints one JSON line per delivery', async () => {
    const app = await serve();
    const result = await trigger(['charge.success', '--provider', 'paystack', '--to', `${app.url}/hooks`, '--secret', PAYSTACK_SECRET, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const line = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(line).sort()).toEqual(['durationMs', 'event', 'id', 'messageId', 'ok', 'provider', 'status', 'url']);
    expect(line).toMatchObject({ event: 'charge.success', provider: 'paystack', url: `${app.url}/hooks`, status: 200, ok: true });
    expect(app.received).toHaveLength(1);
    expect(paystackValid(app.received[0]!)).toBe(true);
    expect(app.received[0]!.headers['user-agent']).toBe('Paystack/1.0');
  });

  it('sends a non-compact fixture byte-identical, verified by svix; the provider comes from the only catalog with the event', async () => {
    const app = await serve(() => ({ status: 202, body: 'accepted  \n for processing' }));
    const result = await trigger(['transaction.created', '--to', app.url, '--secret', KOARD_SECRET]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^✓ 202 koard transaction.created → http:\/\/127\.0\.0\.1:\d+\/ {2}\d+ ms {2}msg_\w+\n {2}accepted for processing\n$/);
    const got = app.received[0]!;
    expect(got.body.toString('utf8')).toBe(PRETTY);
    expect(() => new SvixWebhook(KOARD_SECRET).verify(got.body.toString('utf8'), got.headers as Record<string, string>)).not.toThrow();
  });

  it('--set keeps types, --count sends fresh templates, --duplicate resends the same id and bytes', async () => {
    const app = await serve();
    const set = await trigger(['charge.success', '-p', 'paystack', '--to', app.url, '--set', 'data.amount=5000', '--set', 'data.customer.email=a@b.co', '--set', 'data.id="42"', '--count', '2'], { PAYSTACK_SECRET_KEY: PAYSTACK_SECRET });
    expect(set.code).toBe(0);
    const [a, b] = app.received.map((r) => JSON.parse(r.body.toString('utf8')) as { data: { amount: unknown; id: unknown; reference: string; customer: { email: string } } });
    expect(a!.data).toMatchObject({ amount: 5000, id: '42', customer: { email: 'a@b.co' } });
    expect(a!.data.reference).not.toBe(b!.data.reference);
    expect(app.received.every(paystackValid)).toBe(true);

    const dup = await trigger(['transaction.created', '-p', 'koard', '--to', app.url, '--secret', KOARD_SECRET, '--duplicate', '--json']);
    expect(dup.code).toBe(0);
    const ids = dup.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
    const [x, y] = app.received.slice(2);
    expect(x!.headers['svix-id']).toBe(y!.headers['svix-id']);
    expect(x!.body.equals(y!.body)).toBe(true);
  });

  it('--data merges a JSON merge patch; --body-file sends its bytes verbatim; combining them with --set is refused', async () => {
    const app = await serve();
    const patch = path.join(dir, 'patch.json');
    await writeFile(patch, '{"data": {"currency": "GHS", "customer": null}}');
    const raw = path.join(dir, 'raw.bin');
    await writeFile(raw, '  {"not": "re-serialised" , "n": 1.0}\r\n');
    const common = ['-p', 'paystack', '--to', app.url, '-s', PAYSTACK_SECRET];
    expect((await trigger(['charge.success', ...common, '--data', patch])).code).toBe(0);
    expect(JSON.parse(app.received[0]!.body.toString('utf8'))).toMatchObject({ data: { currency: 'GHS', amount: 10000 } });
    expect(JSON.parse(app.received[0]!.body.toString('utf8')).data).not.toHaveProperty('customer');
    expect((await trigger(['charge.success', ...common, '--body-file', raw])).code).toBe(0);
    expect(app.received[1]!.body.toString('utf8')).toBe('  {"not": "re-serialised" , "n": 1.0}\r\n');
    expect(paystackValid(app.received[1]!)).toBe(true);
    const both = await trigger(['charge.success', ...common, '--body-file', raw, '--set', 'a=1']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^error: --body-file sends its bytes verbatim/);
  });

  it('exits 1 when the app fails or nothing listens, with a clear line', async () => {
    const app = await serve(() => ({ status: 500, body: 'boom' }));
    const failed = await trigger(['charge.success', '-p', 'paystack', '--to', app.url, '-s', PAYSTACK_SECRET]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('✗ 500 paystack charge.success');
    expect(failed.stdout).toContain('boom');
    const url = app.url;
    await app.close();
    const refused = await trigger(['charge.success', '-p', 'paystack', '--to', url, '-s', PAYSTACK_SECRET, '--json']);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false, status: null, error: { kind: 'refused', message: expect.stringContaining(`nothing is listening on ${url}`) } });
  });

  it('bad input exits 2 with one error line: ambiguous event, unknown event, no secret, no target', async () => {
    const cases: [string[], RegExp][] = [
      [['transfer.success', '--to', 'http://127.0.0.1:9'], /^error: event "transfer.success" exists for several providers: (?=.*paystack)(?=.*koard).*\nhint: choose one with --provider/],
      [['charge.succes', '--to', 'http://127.0.0.1:9'], /^error: unknown event "charge.succes"\nhint: did you mean "charge.success"/],
      [['charge.sucess', '-p', 'paystack', '--to', 'http://127.0.0.1:9'], /^error: unknown paystack event "charge.sucess"\nhint: did you mean "charge.success"/],
      [['charge.success', '-p', 'paystack', '--to', 'http://127.0.0.1:9'], /^error: no secret for paystack\n/],
      [['charge.success', '-p', 'paystack', '-s', PAYSTACK_SECRET], /^error: nowhere to send the event\n/],
      [['charge.success', '-p', 'paystack', '--to', 'ftp://x', '-s', PAYSTACK_SECRET], /^error: --to must be an http\(s\) URL/],
      [['charge.success', '-p', 'paystack', '--to', 'localhost:3000/hooks', '-s', PAYSTACK_SECRET], /^error: --to "localhost:3000\/hooks" has no scheme \(http:\/\/ or https:\/\/\)\nhint: write --to http:\/\/localhost:3000\/hooks\n$/],
      [['charge.success', '-p', 'paystack', '--to', 'http://127.0.0.1:9', '--set', 'nokey'], /^error: malformed --set "nokey"/],
      [['charge.success', '-p', 'koard', '--to', 'http://127.0.0.1:9'], /^error: "charge.success" is a paystack and korapay event, not a koard one\nhint: pass --provider paystack \(or korapay\)\n$/],
    ];
    for (const [args, message] of cases) {
      const result = await trigger(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
      expect(result.stdout).toBe('');
    }
  });

  it('without --to, hands the event to a running listen session (token, exact bytes) and prints its answer', async () => {
    const injected: { token: unknown; request: InjectRequest }[] = [];
    const session = await serve((r) => {
      injected.push({ token: r.headers[SESSION_TOKEN_HEADER], request: JSON.parse(r.body.toString('utf8')) as InjectRequest });
      if (r.url !== '/inject') return { status: 404 };
      return { status: 200, body: JSON.stringify({ id: 'msg_session1', provider: 'koard', url: 'http://127.0.0.1:3000/hooks', status: 200, ok: true, durationMs: 7, bodyExcerpt: 'thanks' }) };
    });
    const info: SessionInfo = { pid: process.pid, provider: 'koard', localUrl: 'http://127.0.0.1:1', forwardTo: 'http://127.0.0.1:3000/hooks', controlUrl: session.url, token: 'tok_123', startedAt: new Date(0).toISOString() };
    await writeFile(path.join(store, SESSION_FILE), JSON.stringify(info));
    const result = await trigger(['transfer.success', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ event: 'transfer.success', provider: 'koard', url: 'http://127.0.0.1:3000/hooks', status: 200, ok: true, durationMs: 7, id: 'msg_session1' });
    expect(injected).toHaveLength(1);
    expect(injected[0]!.token).toBe('tok_123');
    expect(injected[0]!.request).toMatchObject({ event: 'transfer.success', source: 'trigger' });
    expect(Buffer.from(injected[0]!.request.bodyBase64, 'base64').toString('utf8')).toBe('{"type":"transfer.success","data":{}}');
  });
});

describe('webhook trigger into a real listen session', () => {
  let listen: ListenProcess | undefined;
  afterEach(async () => {
    if (listen && listen.child.exitCode === null && listen.child.signalCode === null) await listen.stop();
    listen = undefined;
  });
  const listenArgs = (app: StubApp, ...extra: string[]) => ['--forward-to', `${app.url}/hooks`, '--store', store, '--tunnel', 'none', '--self-check-interval', '0', ...extra];

  it('after kill -9 of listen: says the session is gone, how to go on, and removes its stale file', async () => {
    const app = await serve();
    listen = await startListenCli(listenArgs(app, '-p', 'paystack', '--secret', PAYSTACK_SECRET));
    const pid = listen.child.pid;
    expect(await listen.stop('SIGKILL')).toBeNull();
    const result = await trigger(['charge.success', '-p', 'paystack']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^error: the listen session \\(pid ${pid}, started [^)]+\\) is gone: it stopped without cleaning up \\(killed\\?\\); its stale session file was removed\\nhint: start \`webhook listen\` again, or send straight to your app with --to `));
    expect(result.stderr).not.toMatch(/is your app running/);
    await expect(access(path.join(store, SESSION_FILE))).rejects.toThrow();
    expect(app.received).toHaveLength(0);
  });

  it('a session file whose process lives on but whose control port is closed (pid reused) is gone too', async () => {
    const closed = await serve();
    const controlUrl = closed.url;
    await closed.close();
    const info: SessionInfo = { pid: process.pid, provider: 'koard', localUrl: 'http://127.0.0.1:1', forwardTo: 'http://127.0.0.1:3000/hooks', controlUrl, token: 'tok_123', startedAt: new Date(0).toISOString() };
    await writeFile(path.join(store, SESSION_FILE), JSON.stringify(info));
    const result = await trigger(['transfer.success', '-p', 'koard']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^error: the listen session \\(pid ${process.pid}, started 1970-01-01T00:00:00.000Z\\) is gone`));
    expect(result.stderr).not.toMatch(/is your app running/);
    await expect(access(path.join(store, SESSION_FILE))).rejects.toThrow();
  });

  it('an event listen --events filters out is reported as skipped with a note, exit 0, and never reaches the app', async () => {
    const app = await serve();
    listen = await startListenCli(listenArgs(app, '-p', 'paystack', '--secret', PAYSTACK_SECRET, '--events', 'transfer.*'));
    const human = await trigger(['charge.success']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^– skipped paystack charge\.success → http:\/\/127\.0\.0\.1:\d+\/hooks {2}d\w+\n {2}not forwarded: event charge\.success is not in --events\n$/);
    expect(human.stderr).toMatch(new RegExp(`^the running listen session \\(pid ${listen.child.pid}\\) forwards only --events transfer\\.\\*: charge\\.success was answered 200 and logged there, but not sent to your app`));
    const json = await trigger(['charge.success', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ event: 'charge.success', ok: false, status: null, skipped: 'event charge.success is not in --events' });
    const forwarded = await trigger(['transfer.success']);
    expect(forwarded.code).toBe(0);
    expect(app.received.map((r) => JSON.parse(r.body.toString('utf8')).event)).toEqual(['transfer.success']);
    expect((await listen.next((e) => e.type === 'delivery' && e.event === 'charge.success')).skipped).toBe('event charge.success is not in --events');
  });

  it('--duplicate through a session sends one message id twice, the same bytes, both verified by svix', async () => {
    const app = await serve();
    listen = await startListenCli(listenArgs(app, '-p', 'koard', '--secret', KOARD_SECRET));
    const dup = await trigger(['transaction.created', '--duplicate', '--json']);
    expect(dup.stderr).toBe('');
    expect(dup.code).toBe(0);
    // Two deliveries in the session's log (the second a replay of the first), one message id.
    const lines = dup.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; messageId: string });
    expect(lines).toHaveLength(2);
    expect(lines[0]!.messageId).toMatch(/^msg_/);
    expect(lines[1]!.messageId).toBe(lines[0]!.messageId);
    expect(lines[1]!.id).not.toBe(lines[0]!.id);
    expect(app.received).toHaveLength(2);
    const [x, y] = app.received;
    expect(x!.headers['svix-id']).toBe(lines[0]!.messageId);
    expect(y!.headers['svix-id']).toBe(lines[0]!.messageId);
    expect(x!.body.equals(y!.body)).toBe(true);
    for (const r of [x!, y!]) expect(() => new SvixWebhook(KOARD_SECRET).verify(r.body.toString('utf8'), r.headers as Record<string, string>)).not.toThrow();
  });

  it('a body over the session --max-body is refused with the limit and the fix named, and logged in the session', async () => {
    const app = await serve();
    listen = await startListenCli(listenArgs(app, '-p', 'paystack', '--secret', PAYSTACK_SECRET, '--max-body', '2048'));
    const big = path.join(dir, 'big.json');
    await writeFile(big, JSON.stringify({ event: 'charge.success', data: { note: 'x'.repeat(10_000) } }));
    const size = (await readFile(big)).length;
    const result = await trigger(['charge.success', '--body-file', big]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`the listen session refused the body: 9.8 KiB (${size} bytes) is over this listen session's --max-body of 2 KiB (2048 bytes); logged there as refused (413)`);
    expect(result.stdout).toContain(`restart listen with --max-body ${size} (or more), or send straight to your app with --to <url>`);
    const logged = await listen.next((e) => e.type === 'delivery' && e.answered === 413);
    expect(logged).toMatchObject({ source: 'trigger', skipped: `body of ${size} bytes is over the 2048-byte cap (listen --max-body)` });

    // A sender that does not say the size is measured: refused and logged the same way.
    const info = JSON.parse(await readFile(path.join(store, SESSION_FILE), 'utf8')) as SessionInfo;
    const raw = await fetch(`${info.controlUrl}/inject`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SESSION_TOKEN_HEADER]: info.token },
      body: JSON.stringify({ event: 'charge.success', bodyBase64: Buffer.alloc(3000, 'y').toString('base64') }),
    });
    expect(raw.status).toBe(413);
    expect(await raw.json()).toMatchObject({ error: { kind: 'too-large' }, bodySize: 3000, maxBodyBytes: 2048 });
    expect(await listen.next((e) => e.type === 'delivery' && e.answered === 413)).toMatchObject({ skipped: 'body of 3000 bytes is over the 2048-byte cap (listen --max-body)' });
    expect(app.received).toHaveLength(0);
  });
});

describe('webhook fixtures', () => {
  it('lists events with their files and shows a rendered body', async () => {
    const list = await runCli(['fixtures', '--provider', 'koard', '--fixtures', path.join(dir, 'fx'), '--json'], { cwd: dir });
    expect(list.code).toBe(0);
    const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; file: string });
    expect(rows.map((r) => r.event)).toEqual(expect.arrayContaining(['transaction.created', 'transfer.success']));
    expect(rows.find((r) => r.event === 'transfer.success')!.file).toBe(path.join(dir, 'fx', 'koard', 'transfer.success.json'));
    const show = await runCli(['fixtures', 'show', 'charge.success', '-p', 'paystack', '--fixtures', path.join(dir, 'fx'), '--set', 'data.amount=1'], { cwd: dir });
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({ event: 'charge.success', data: { amount: 1, reference: expect.stringMatching(/^ref_\w{12}$/), id: expect.any(Number) } });
  });
});
