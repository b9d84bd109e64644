import chalk from 'chalk';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryFeed } from './support/memory-feed.js';
import type { OutcomeRecord, RequestRecord } from '../src/store/types.js';
import { EventEmitter } from 'node:events';
import { startDeliveryView } from '../src/ui/index.js';
import { NoticeBoard } from '../src/ui/notices.js';
import { DeliveryView, type ViewActions } from '../src/ui/view.js';

const ESC = '\u001b';
const DOWN = '\u001b[B';
const UP = '\u001b[A';
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function delivery(i: number, event: string, status: number, options: { signature?: 'verified' | 'failed'; body?: string; provider?: string } = {}): [RequestRecord, OutcomeRecord] {
  const id = `d${String(i).padStart(4, '0')}`;
  const body = options.body ?? JSON.stringify({ event, data: { n: i } });
  const signature = options.signature === 'failed' ? ({ state: 'failed', reason: 'no matching signature', detail: 'no signature matched' } as const) : ({ state: 'verified' } as const);
  return [
    { kind: 'request', id, receivedAt: Date.UTC(2026, 10, 25, 10, 0, i), provider: options.provider ?? 'paystack', event, method: 'POST', path: '/', headers: { 'x-paystack-signature': 'abc' }, bodyBase64: Buffer.from(body).toString('base64'), bodySize: body.length, signature },
    { kind: 'outcome', id, at: 0, target: 'http://127.0.0.1:3000/hooks', status, headers: { 'content-type': 'application/json' }, bodyExcerptBase64: Buffer.from('{"ok":true}').toString('base64'), durationMs: 12, answered: status },
  ];
}

function feedWith(count: number) {
  const feed = new MemoryFeed();
  for (let i = 0; i < count; i++) {
    const [req, out] = delivery(i, i % 3 === 0 ? 'transfer.success' : 'charge.success', i % 5 === 4 ? 500 : 200, { signature: i === 7 ? 'failed' : 'verified' });
    feed.addRequest(req);
    feed.addOutcome(out);
  }
  return feed;
}

/** Wait until the frame satisfies a condition (Ink renders asynchronously). */
async function until(frame: () => string | undefined, predicate: (text: string) => boolean): Promise<string> {
  // Ink renders asynchronously (and throttles frames): poll the frame until it matches (up to 25 s: a loaded machine is slow, the test timeout is 30 s).
  for (const deadline = Date.now() + 25_000; Date.now() < deadline; ) {
    const text = frame() ?? '';
    if (predicate(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`frame never matched:\n${frame()}`);
}

function mount(feed: MemoryFeed, actions: Partial<ViewActions> = {}, color = false, extra: { notices?: NoticeBoard; noticeMs?: number } = {}) {
  const full: ViewActions = { replay: vi.fn(async (id: string) => `replayed ${id} → 200`), quit: vi.fn(), ...actions };
  const app = render(<DeliveryView feed={feed} status={{ provider: 'Paystack', localUrl: 'http://127.0.0.1:4000', forwardTo: 'http://127.0.0.1:3000/hooks' }} actions={full} color={color} throttleMs={0} {...extra} />);
  cleanup = () => app.unmount();
  return { ...app, actions: full };
}

describe('the interactive delivery view', () => {
  it('shows counts and the newest rows in follow mode, and follows new deliveries', async () => {
    const feed = feedWith(40);
    const { lastFrame } = mount(feed);
    const frame = await until(lastFrame, (t) => t.includes('total 40') && t.includes('›'));
    expect(frame).toContain('2xx 32');
    expect(frame).toContain('failed 8');
    expect(frame).toContain('bad signatures 1');
    expect(frame).toMatch(/› 10:00:39/);
    const [req, out] = delivery(40, 'refund.processed', 200);
    feed.addRequest(req);
    feed.addOutcome(out);
    expect(await until(lastFrame, (t) => /› 10:00:40 refund\.processed/.test(t))).toContain('total 41');
  });

  it('moves with arrows and j/k, jumps with g/G, and renders only the visible window', async () => {
    const feed = feedWith(500);
    const { lastFrame, stdin } = mount(feed);
    await until(lastFrame, (t) => t.includes('total 500'));
    stdin.write('g');
    let frame = await until(lastFrame, (t) => t.includes('› 10:00:00'));
    expect(frame.split('\n').length).toBeLessThanOrEqual(30);
    stdin.write(DOWN);
    await until(lastFrame, (t) => t.includes('› 10:00:01'));
    stdin.write('j');
    await until(lastFrame, (t) => t.includes('› 10:00:02'));
    stdin.write(UP);
    await until(lastFrame, (t) => t.includes('› 10:00:01'));
    stdin.write('G');
    frame = await until(lastFrame, (t) => /› 10:08:19/.test(t));
    expect(frame).not.toContain('10:00:01');
  });

  it('opens details with headers, pretty body, verdict and response; c shows the raw bytes; Esc goes back', async () => {
    const feed = feedWith(10);
    const { lastFrame, stdin } = mount(feed);
    await until(lastFrame, (t) => t.includes('total 10'));
    stdin.write('g');
    for (let i = 0; i < 7; i++) stdin.write('j');
    await until(lastFrame, (t) => t.includes('› 10:00:07'));
    stdin.write('\r');
    const details = await until(lastFrame, (t) => t.includes('Request  POST /'));
    expect(details).toContain('✗ signature failed: no matching signature');
    expect(details).toContain('x-paystack-signature: abc');
    expect(details).toContain('"n": 7');
    expect(details).toContain('Response  200');
    stdin.write('c');
    const raw = await until(lastFrame, (t) => t.includes('{"event":"charge.success","data":{"n":7}}'));
    expect(raw).not.toContain('Request  POST');
    stdin.write(ESC);
    await until(lastFrame, (t) => t.includes('Request  POST /'));
    stdin.write(ESC);
    await until(lastFrame, (t) => t.includes('Enter details'));
  });

  it('filters by event, status class and body text, and f shows failures only', async () => {
    const feed = feedWith(20);
    const [req, out] = delivery(20, 'charge.success', 200, { body: '{"event":"charge.success","data":{"email":"needle@example.com"}}' });
    feed.addRequest(req);
    feed.addOutcome(out);
    const { lastFrame, stdin } = mount(feed);
    await until(lastFrame, (t) => t.includes('total 21'));
    stdin.write('/');
    for (const ch of 'transfer') stdin.write(ch);
    stdin.write('\r');
    let frame = await until(lastFrame, (t) => t.includes('showing 7'));
    expect(frame).not.toContain('charge.success ');
    stdin.write(ESC);
    await until(lastFrame, (t) => !t.includes('showing'));
    stdin.write('/');
    for (const ch of '5xx') stdin.write(ch);
    stdin.write('\r');
    await until(lastFrame, (t) => t.includes('showing 4'));
    stdin.write(ESC);
    await until(lastFrame, (t) => !t.includes('showing'));
    stdin.write('/');
    for (const ch of 'needle') stdin.write(ch);
    stdin.write('\r');
    frame = await until(lastFrame, (t) => t.includes('showing 1'));
    expect(frame).toContain('10:00:20');
    stdin.write(ESC);
    await until(lastFrame, (t) => !t.includes('showing'));
    stdin.write('f');
    frame = await until(lastFrame, (t) => t.includes('[failures only]'));
    expect(frame).toContain('showing 5'); // four 500s and one bad signature
  });

  it('r replays the selected delivery through the action and shows the result; q quits', async () => {
    const feed = feedWith(3);
    const { lastFrame, stdin, actions } = mount(feed);
    await until(lastFrame, (t) => t.includes('total 3'));
    stdin.write('r');
    await until(lastFrame, (t) => t.includes('replayed d0002 → 200'));
    expect(actions.replay).toHaveBeenCalledWith('d0002');
    stdin.write('q');
    expect(actions.quit).toHaveBeenCalledTimes(1);
  });

  it('draws no escape codes without colour and colours statuses with it', async () => {
    chalk.level = 1; // the test stream is not a terminal; let Ink colour as it would on one
    const plain = mount(feedWith(5));
    const text = await until(plain.lastFrame, (t) => t.includes('total 5'));
    // ink-testing-library frames carry only colour codes, so none may appear without colour.
    expect(text).not.toMatch(/\u001b\[3\dm/);
    plain.unmount();
    const coloured = mount(feedWith(5), {}, true);
    expect(await until(coloured.lastFrame, (t) => t.includes('total 5'))).toMatch(/\u001b\[3\dm/);
  });
});

/** A delivery whose pretty-printed body is `fields` + 2 lines long. */
function longBody(fields: number): string {
  return JSON.stringify(Object.fromEntries(Array.from({ length: fields }, (_, i) => [`k${i}`, `value number ${i} of the long body`])));
}

describe('the interactive view, keys in bursts and its edges', () => {
  it('counts every key of a burst read at once (a held j over SSH or tmux, a typed filter)', async () => {
    const feed = feedWith(10);
    const { lastFrame, stdin } = mount(feed);
    await until(lastFrame, (t) => t.includes('total 10'));
    stdin.write('g');
    await until(lastFrame, (t) => t.includes('› 10:00:00'));
    stdin.write('jjj'); // one read, as Ink hands it over: "jjj"
    await until(lastFrame, (t) => t.includes('› 10:00:03'));
    stdin.write(`jj${DOWN}${DOWN}k`); // letters and arrows in one chunk
    await until(lastFrame, (t) => t.includes('› 10:00:06'));
    stdin.write('/5xx\r'); // a filter typed and applied in one read
    const frame = await until(lastFrame, (t) => t.includes('showing 2'));
    expect(frame).toContain('filter: 5xx');
  });

  it('stops scrolling the details at their last line and lists PgUp/PgDn/g/G', async () => {
    const feed = new MemoryFeed();
    const [req, out] = delivery(0, 'charge.success', 200, { body: longBody(60) });
    feed.addRequest(req);
    feed.addOutcome(out);
    const { lastFrame, stdin } = mount(feed);
    await until(lastFrame, (t) => t.includes('total 1'));
    stdin.write('\r');
    const first = await until(lastFrame, (t) => /lines 1–\d+ of \d+/.test(t));
    expect(first).toContain('PgUp/PgDn');
    expect(first).toContain('g/G');
    const [, shown, total] = /lines 1–(\d+) of (\d+)/.exec(first)!.map(Number);
    stdin.write('G');
    const last = `lines ${total! - shown! + 1}–${total} of ${total}`;
    let frame = await until(lastFrame, (t) => t.includes(last));
    expect(frame).toContain('"k59": "value number 59 of the long body"');
    // Further down moves nothing: one line up from the end is the end minus one.
    for (let i = 0; i < 30; i++) stdin.write('j');
    stdin.write(DOWN);
    stdin.write('\u001b[6~'); // PgDn
    stdin.write('k');
    frame = await until(lastFrame, (t) => t.includes(`lines ${total! - shown!}–${total! - 1} of ${total}`));
    expect(frame).toContain('"k59": "value number 59 of the long body"');
    stdin.write('g');
    frame = await until(lastFrame, (t) => t.includes(`lines 1–${shown} of ${total}`));
    expect(frame).toContain('✓ signature verified');
  });

  it("shows the app's answer before the request body, on the first screen", async () => {
    const feed = new MemoryFeed();
    const body = longBody(40);
    expect(body.length).toBeGreaterThan(1300);
    const [req, out] = delivery(0, 'charge.success', 200, { body });
    feed.addRequest(req);
    feed.addOutcome(out);
    const { lastFrame, stdin } = mount(feed);
    await until(lastFrame, (t) => t.includes('total 1'));
    stdin.write('\r');
    const frame = await until(lastFrame, (t) => t.includes('Response  200') && t.includes('{"ok":true}'));
    expect(frame).toContain('content-type: application/json');
    expect(frame.indexOf('Response  200')).toBeLessThan(frame.indexOf('Request  POST /'));
    expect(frame).not.toContain('"k39"'); // the end of the request body is further down
  });

  it('labels the columns (sig: signature verdict, app: the app status) and adds a provider column when providers share the log', async () => {
    const single = mount(feedWith(3));
    let frame = await until(single.lastFrame, (t) => t.includes('total 3'));
    expect(frame).toMatch(/time\s+event\s+sig\s+app\s+took/);
    expect(frame).not.toContain('provider');
    single.unmount();

    const feed = new MemoryFeed();
    for (const [i, provider] of ['paykore', 'paystack', 'koard'].entries()) {
      const [req, out] = delivery(i, 'charge.success', i === 2 ? 422 : 200, { provider });
      feed.addRequest(req);
      feed.addOutcome(out);
    }
    const shared = mount(feed);
    frame = await until(shared.lastFrame, (t) => t.includes('total 3'));
    expect(frame).toMatch(/time\s+provider\s+event\s+sig\s+app\s+took/);
    expect(frame).toMatch(/10:00:00 paykore\s+charge\.success\s+✓\s+200/);
    expect(frame).toMatch(/› 10:00:02 koard\s+charge\.success\s+✓\s+422/);
  });

  it('shows what the session reports meanwhile (warnings, registration, catch-up), posted before or after it started', async () => {
    const notices = new NoticeBoard();
    notices.post('info', 'registered wh_123 for https://example.test/');
    const { lastFrame } = mount(feedWith(3), {}, false, { notices });
    await until(lastFrame, (t) => t.includes('registered wh_123 for https://example.test/'));
    notices.post('warn', 'rejected a malformed HTTP request (HPE_INVALID_METHOD); the receiver keeps serving');
    const frame = await until(lastFrame, (t) => t.includes('warning: rejected a malformed HTTP request'));
    expect(frame).toContain('registered wh_123'); // the two newest stay
    expect(frame).toContain('total 3');
  });

  it("keeps the filter line with a replay's result, which goes at the next key or after a while", async () => {
    const feed = feedWith(6);
    const { lastFrame, stdin } = mount(feed, {}, false, { noticeMs: 200 });
    await until(lastFrame, (t) => t.includes('total 6'));
    stdin.write('/');
    for (const ch of 'charge') stdin.write(ch);
    stdin.write('\r');
    await until(lastFrame, (t) => t.includes('showing 4'));
    stdin.write('r');
    let frame = await until(lastFrame, (t) => t.includes('replayed d0005 → 200'));
    expect(frame).toContain('filter: charge');
    stdin.write('k');
    frame = await until(lastFrame, (t) => !t.includes('replayed d0005') && t.includes('› 10:00:04'));
    expect(frame).toContain('filter: charge');
    stdin.write('r');
    await until(lastFrame, (t) => t.includes('replayed d0004 → 200'));
    // No key: it still goes.
    frame = await until(lastFrame, (t) => !t.includes('replayed d0004'));
    expect(frame).toContain('filter: charge');
  });
});

/** A terminal-sized output stream (80x24) and a keyboard, for what Ink does on a real terminal. */
class FakeTerminal extends EventEmitter {
  readonly isTTY = true;
  readonly columns = 80;
  readonly rows = 24;
  written = '';
  write(chunk: string | Uint8Array, ...rest: unknown[]): boolean {
    this.written += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }
}
class FakeKeyboard extends EventEmitter {
  readonly isTTY = true;
  setRawMode() {}
  setEncoding() {}
  ref() {}
  unref() {}
  resume() {}
  pause() {}
  read() {
    return null;
  }
}

describe('the view on a terminal', () => {
  it('leaves the cursor on a new line when it closes (the last frame ends with a newline)', async () => {
    const stdout = new FakeTerminal();
    const view = startDeliveryView({
      feed: feedWith(3),
      status: { provider: 'Paystack' },
      actions: { replay: async () => '', quit: () => view.unmount() },
      stdin: new FakeKeyboard() as unknown as NodeJS.ReadStream,
      stdout: stdout as unknown as NodeJS.WriteStream,
      color: false,
    });
    cleanup = () => view.unmount();
    await until(() => stdout.written, (t) => t.includes('total 3') && t.includes('Enter details'));
    view.unmount();
    await view.waitUntilExit();
    // What is printed, without the terminal mode switches (synchronized output, cursor shown) around it.
    const text = stdout.written.replace(/\u001b\[\?\d+[hl]/g, '');
    expect(text).toMatch(/Enter details[^\n]*\n$/);
  });
});
