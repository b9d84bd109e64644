import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { BIN } from './support/cli.js';
import { startReceiver, type Receiver } from './support/receiver.js';

const run = promisify(execFile);
const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();
const API_KEY = 'sk_test_pty_suite_key';
const SESSION = `webhook-pty-${process.pid}`;
let sandbox: Sandbox;
let app: Receiver;
let store: string;

const tmux = (...args: string[]) => run('tmux', ['-L', SESSION, ...args]);
const screen = async () => (await tmux('capture-pane', '-p', '-t', SESSION)).stdout;

/** Poll the real terminal until the screen shows what we expect (up to 10 s). */
async function waitForScreen(predicate: (text: string) => boolean): Promise<string> {
  let text = '';
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    text = await screen();
    if (predicate(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`screen never matched:\n${text}`);
}

const endpoints = async () =>
  ((await (await request(`${sandbox.url}/v1/webhooks`, { headers: { 'x-api-key': API_KEY } })).body.json()) as { data: { id: string }[] }).data;

beforeAll(async () => {
  sandbox = await startSandbox({}, { clock: systemClock });
  app = await startReceiver((r) => ({ status: r.body.includes('kyc.failed') ? 500 : 200, body: '{"ok":true}' }));
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
    // Wait for what is asserted next: all three rows and kyc.failed's outcome (it can land after the row).
    let text = await waitForScreen((t) => t.includes('total 3') && t.includes('settlement.completed') && /kyc\.failed\s+✓ 500/.test(t));
    expect(text).toMatch(/kyc\.failed\s+✓ 500/);
    expect(text).toMatch(/› \d\d:\d\d:\d\d settlement\.completed/);
    expect(text.split('\n').every((line) => line.length <= 80)).toBe(true);

    await tmux('send-keys', '-t', SESSION, 'k');
    await waitForScreen((t) => /› \d\d:\d\d:\d\d kyc\.failed/.test(t));
    await tmux('send-keys', '-t', SESSION, 'Enter');
    text = await waitForScreen((t) => t.includes('Request  POST'));
    expect(text).toContain('✓ signature verified');
    expect(text).toContain('x-paykore-signature: sha256=');

    await tmux('send-keys', '-t', SESSION, 'r');
    await waitForScreen((t) => /replayed \S+ → 500/.test(t));
    await tmux('send-keys', '-t', SESSION, 'Escape');
    text = await waitForScreen((t) => t.includes('total 4') && t.includes('Enter details'));
    expect(text).toMatch(/kyc\.failed\s+✓ 500\s+\d+ms replay/);

    await tmux('send-keys', '-t', SESSION, 'q');
    await waitForScreen((t) => t.includes('EXITED 0'));
    expect(await endpoints()).toHaveLength(0);
  });
});
