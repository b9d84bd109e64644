import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { printable, printableLines } from '../src/output/printable.js';
import { DeliveryView } from '../src/ui/view.js';
import { BIN, cliEnv, runCli } from './support/cli.js';
import { MemoryFeed } from './support/memory-feed.js';

// A forged delivery is anyone's input. Its event name, headers and body must not drive the
// terminal (recolour, hide, retitle, clear, write the clipboard), and names taken from it must
// not choose where files are written. --json stays exact.
const ESC = '\u001b';
const HOSTILE_EVENT = `${ESC}[32m✓ verified${ESC}[8m`;
const OSC52 = `${ESC}]52;c;ZXZpbA==\u0007`;
const CLEAR = `${ESC}[2J${ESC}[H`;
const TITLE = `${ESC}]0;pwned\u0007`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-untrusted-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('printable', () => {
  it('escapes C0, DEL, C1 and bidirectional controls, keeps text (and newlines in bodies)', () => {
    expect(printable(`a${ESC}[31mb\u0007c\u009bd\u202ee\nf`)).toBe('a\\x1b[31mb\\x07c\\x9bd\\u202ee\\x0af');
    expect(printableLines(`{\n\t"a": "${ESC}]52;c;x\u0007"\n}`)).toBe('{\n\t"a": "\\x1b]52;c;x\\x07"\n}');
    expect(printable('charge.success ✓ é 日本')).toBe('charge.success ✓ é 日本');
  });
});

/** Start `listen` with plain output (stdout is a pipe), resolve once n delivery lines are out. */
async function listenPlain(store: string) {
  const child = spawn(process.execPath, [BIN, 'listen', '-p', 'paystack', '-f', 'http://127.0.0.1:9/', '--tunnel', 'none', '--store', store, '--self-check-interval', '0'], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  const waiters: { test: () => boolean; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) if (w.test()) waiters.splice(waiters.indexOf(w), 1) && w.resolve();
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    check();
  });
  child.stderr.setEncoding('utf8').on('data', () => check());
  const until = (test: () => boolean) => new Promise<void>((resolve) => (test() ? resolve() : waiters.push({ test, resolve })));
  await until(() => /^ {2}local {3}http:\/\/127\.0\.0\.1:\d+$/m.test(stdout));
  const url = /^ {2}local {3}(http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout)![1]!;
  const ready = stdout.length;
  return { child, url, out: () => stdout.slice(ready), until, stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

describe('a forged delivery in every human-readable output', () => {
  it('listen, log and log show escape what it carries; log --json keeps it exact', async () => {
    const store = path.join(dir, 'store');
    const listen = await listenPlain(store);
    try {
      const body = JSON.stringify({ event: HOSTILE_EVENT, data: { note: `${OSC52}${CLEAR}${TITLE}` } });
      await (await fetch(`${listen.url}/hooks`, { method: 'POST', body })).text();
      await (await fetch(`${listen.url}/hooks`, { method: 'POST', body: `not json ${OSC52}${CLEAR}${TITLE}` })).text();
      await listen.until(() => listen.out().includes('\\x1b[32m') && (listen.out().match(/ d[0-9a-z]+/g) ?? []).length >= 2);
      expect(listen.out()).not.toContain(ESC);
      expect(listen.out()).toContain('\\x1b[32m✓ verified\\x1b[8m');
      expect(listen.out()).toMatch(/\? unknown|✗/); // the real verdict is still there, readable
    } finally {
      await listen.stop();
    }
    const log = await runCli(['log', '--store', store]);
    expect(log.stdout).not.toContain(ESC);
    expect(log.stdout).toContain('\\x1b[32m✓ verified\\x1b[8m');
    const json = await runCli(['log', '--store', store, '--json']);
    const [record, text] = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; event: string });
    expect(record!.event).toBe(HOSTILE_EVENT);
    const show = await runCli(['log', 'show', record!.id, '--store', store]);
    expect(show.code).toBe(0);
    expect(show.stdout).not.toContain(ESC);
    expect(show.stdout).toContain('\\x1b[32m✓ verified\\x1b[8m');
    expect(show.stdout).toContain('\\u001b]52;c;ZXZpbA==\\u0007'); // a JSON body is shown as JSON, escapes and all
    const showText = await runCli(['log', 'show', text!.id, '--store', store]);
    expect(showText.stdout).not.toContain(ESC);
    expect(showText.stdout).not.toContain('\u0007');
    expect(showText.stdout).toContain('not json \\x1b]52;c;ZXZpbA==\\x07\\x1b[2J');
    const raw = await runCli(['log', 'show', text!.id, '--store', store, '--raw']);
    expect(raw.stdout).toContain(OSC52); // --raw is the exact bytes, on request
  });

  it('log save turns a hostile event name into one file name inside the fixtures folder', async () => {
    const project = path.join(dir, 'project');
    const store = path.join(dir, 'store2');
    await mkdir(project, { recursive: true });
    await writeFile(path.join(project, 'package.json'), '{"name":"victim"}\n');
    const listen = await listenPlain(store);
    try {
      for (const event of ['../../.vscode/tasks', '../../package']) {
        const body = JSON.stringify({ event, data: {} });
        await (await fetch(`${listen.url}/hooks`, { method: 'POST', body })).text();
      }
      await listen.until(() => (listen.out().match(/ d[0-9a-z]+/g) ?? []).length >= 2);
    } finally {
      await listen.stop();
    }
    const records = (await runCli(['log', '--store', store, '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; event: string });
    for (const r of records) {
      const saved = await runCli(['log', 'save', r.id, '--store', store, '--force'], { cwd: project });
      expect(saved.code, saved.stderr).toBe(0);
      expect(saved.stdout).toMatch(/^saved fixtures\/paystack\/[A-Za-z0-9._-]+\.json /);
    }
    expect(existsSync(path.join(project, '.vscode'))).toBe(false);
    expect(existsSync(path.join(dir, '.vscode'))).toBe(false);
    expect(await readFile(path.join(project, 'package.json'), 'utf8')).toBe('{"name":"victim"}\n');
    const files = await readdir(path.join(project, 'fixtures', 'paystack'));
    expect(files.sort()).toEqual(['___.._.vscode_tasks.json', '___.._package.json']);
  });

  it('the interactive view shows the names escaped, in the list and in the details', async () => {
    const feed = new MemoryFeed();
    const body = JSON.stringify({ event: HOSTILE_EVENT, data: { note: `${OSC52}${TITLE}` } });
    feed.addRequest({ kind: 'request', id: 'd0001', receivedAt: Date.UTC(2026, 10, 25), provider: 'paystack', event: HOSTILE_EVENT, method: 'POST', path: '/', headers: {}, bodyBase64: Buffer.from(body).toString('base64'), bodySize: body.length, signature: { state: 'failed', reason: 'missing header', detail: 'no x-paystack-signature header' } });
    const app = render(<DeliveryView feed={feed} status={{ provider: 'Paystack', localUrl: 'http://127.0.0.1:4000', forwardTo: 'http://127.0.0.1:3000/hooks' }} actions={{ replay: vi.fn(), quit: vi.fn() }} color={false} throttleMs={0} />);
    try {
      const until = async (predicate: (t: string) => boolean) => {
        for (;;) {
          const t = app.lastFrame() ?? '';
          if (predicate(t)) return t;
          await new Promise((resolve) => setImmediate(resolve));
        }
      };
      const list = await until((t) => t.includes('total 1'));
      expect(list).toContain('\\x1b[32m✓ verified\\x1b[8m');
      expect(list).not.toContain(ESC);
      app.stdin.write('\r');
      const details = await until((t) => t.includes('Body (c: raw bytes)'));
      expect(details).toContain('\\u001b]52;c;ZXZpbA==\\u0007');
      expect(details).not.toContain(ESC);
      expect(details).not.toContain('\u0007');
    } finally {
      app.unmount();
    }
  });
});
