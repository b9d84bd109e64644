import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { BIN } from './support/cli.js';
import { hasTmux } from './support/tmux.js';
import { startStubApp, type StubApp } from './support/stub-app.js';

const run = promisify(execFile);
const API_KEY = 'sk_test_pty_suite_key';
const SESSION = `webhook-pty-${process.pid}`;
let sandbox: Sandbox;
let app: StubApp;
let store: string;

const tmux = (...args: string[]) => run('tmux', ['-L', SESSION, ...args]);
const screen = async () => (await tmux('capture-pane', '-p', '-t', SESSION)).stdout;

/** Poll the real terminal until the screen shows what we expect (up to 25 s: a loaded machine is slow). */
async function waitForScreen(predicate: (text: string) => boolean): Promise<string> {
  let text = '';
  for (const deadline = Date.now() + 25_000; Date.now() < deadline; ) {
    text = await screen();
    if (predicate(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`screen never matched:\n${text}`);
}

const endpoints = async () =>
  ((await (await request(`${sandbox.url}/v1/webhooks`, { headers: { 'x-api-key': API_KEY } })).body.json()) as { data: { id: string }[] }).data;

beforeAll(async () => {
  // PayKore retries the 500 after 1 s: stretched to ~17 min so the rows are exactly the ones this test makes.
  sandbox = await startSandbox({ timeScale: 1000 }, { clock: systemClock });
  app = await startStubApp((r) => ({ status: r.body.includes('kyc.failed') ? 500 : 200, body: '{"ok":true}' }));
  store = await mkdtemp(path.join(tmpdir(), 'webhook-pty-'));
});
afterAll(async () => {
  if (hasTmux) await tmux('kill-server').catch(() => {});
  await sandbox?.close();
  await app?.close();
  await rm(store, { recursive: true, force: true });
});

// tmux gives the CLI a real pseudo-terminal; .ci/run installs it where it is missing.
describe.skipIf(!hasTmux)('listen in a real terminal (tmux, 80x24)', () => {
  it('shows deliveries live, navigates, opens details, replays, and q deregisters the endpoint', async () => {
    const env = `PAYKORE_API_KEY=${API_KEY} WEBHOOK_STORE=${store} TERM=xterm-256color`;
    const command = `env -u CI -u NO_COLOR ${env} ${process.execPath} ${BIN} listen -p paykore -f ${app.url}/hooks --api-base ${sandbox.url}`;
    await tmux('new-session', '-d', '-s', SESSION, '-x', '80', '-y', '24', `${command}; echo EXITED $?; sleep 30`);
    await waitForScreen((t) => t.includes('webhook listen') && t.includes('registered'));
    expect(await endpoints()).toHaveLength(1);

    for (const event of ['transaction.completed', 'kyc.failed', 'settlement.completed']) {
      await request(`${sandbox.url}/v1/events`, { method: 'POST', headers: { 'x-api-key': API_KEY }, body: JSON.stringify({ event }) }).then((r) => r.body.dump());
    }
    // Wait for exactly what is asserted next: all three rows with the app's answers, the newest selected.
    const threeRows = (t: string) =>
      t.includes('total 3') && /transaction\.completed\s+✓\s+200/.test(t) && /kyc\.failed\s+✓\s+500/.test(t) && /› \d\d:\d\d:\d\d settlement\.completed\s+✓\s+200/.test(t);
    let text = await waitForScreen(threeRows);
    expect(threeRows(text)).toBe(true);
    expect(text).toMatch(/time\s+event\s+sig\s+app\s+took/); // the columns' legend
    expect(text.split('\n').every((line) => line.length <= 80)).toBe(true);

    await tmux('send-keys', '-t', SESSION, 'k');
    await waitForScreen((t) => /› \d\d:\d\d:\d\d kyc\.failed/.test(t));
    await tmux('send-keys', '-t', SESSION, 'Enter');
    // The app's answer comes first in the details, then the request.
    text = await waitForScreen((t) => t.includes('Response  500') && t.includes('Request  POST') && t.includes('x-paykore-signature: sha256='));
    expect(text).toContain('✓ signature verified');
    expect(text.indexOf('Response  500')).toBeLessThan(text.indexOf('Request  POST'));

    await tmux('send-keys', '-t', SESSION, 'r');
    await waitForScreen((t) => /replayed \S+ → 500/.test(t));
    await tmux('send-keys', '-t', SESSION, 'Escape');
    const replayRow = /kyc\.failed\s+✓\s+500\s+\d+ms replay/;
    text = await waitForScreen((t) => t.includes('total 4') && t.includes('Enter details') && replayRow.test(t));
    expect(text).toMatch(replayRow);

    // Three keys in one write, as a held key arrives over SSH or tmux: the selection moves three rows.
    await tmux('send-keys', '-t', SESSION, 'g');
    await waitForScreen((t) => /› \d\d:\d\d:\d\d transaction\.completed/.test(t));
    await tmux('send-keys', '-t', SESSION, 'jjj');
    text = await waitForScreen((t) => /› \d\d:\d\d:\d\d kyc\.failed\s+✓\s+500\s+\d+ms replay/.test(t));
    expect(text).toMatch(/› \d\d:\d\d:\d\d kyc\.failed\s+✓\s+500\s+\d+ms replay/);

    // What plain output prints as a warning shows in the view too.
    const { localUrl } = JSON.parse(await readFile(path.join(store, 'session.json'), 'utf8')) as { localUrl: string };
    const socket = connect(Number(new URL(localUrl).port), '127.0.0.1');
    socket.on('error', () => {});
    socket.end('\u0000\u0001 not http\r\n\r\n');
    text = await waitForScreen((t) => t.includes('warning: rejected a malformed HTTP request'));
    expect(text).toContain('Enter details');

    await tmux('send-keys', '-t', SESSION, 'q');
    // The last frame ends with a newline: the shell's next line starts on a line of its own.
    text = await waitForScreen((t) => t.includes('EXITED 0'));
    expect(text).toMatch(/^EXITED 0$/m);
    expect(await endpoints()).toHaveLength(0);
  });
});
