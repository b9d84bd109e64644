import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, cliEnv, runCli } from './support/cli.js';

// ngrok's cloud cannot be reached here: what is tested is the flags and the bounded, clear failure.
// (The @ngrok/ngrok options are typed against the package's own definitions: the build checks them.)
let store: string;
beforeEach(async () => {
  store = await mkdtemp(path.join(tmpdir(), 'webhook-ngrok-'));
});
afterEach(async () => {
  await rm(store, { recursive: true, force: true });
});

describe('--tunnel ngrok --domain', () => {
  it('with --domain (which implies --tunnel ngrok) fails clearly, exit 1, when ngrok cannot be reached or refuses the token', async () => {
    const r = await runCli(['listen', '-p', 'paystack', '--secret', 'x', '-f', 'http://127.0.0.1:3000', '--domain', 'my-name.ngrok-free.app', '--store', store], { env: { NGROK_AUTHTOKEN: 'not_a_real_token' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: the ngrok tunnel did not start: /m);
    expect(r.stderr).toMatch(/^hint: check NGROK_AUTHTOKEN/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses --domain with another tunnel, or a domain that is not a host name', async () => {
    const other = await runCli(['listen', '-p', 'paystack', '-f', 'http://127.0.0.1:3000', '--tunnel', 'none', '--domain', 'my-name.ngrok-free.app', '--store', store]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/^error: --domain goes with --tunnel ngrok$/m);
    const url = await runCli(['listen', '-p', 'paystack', '-f', 'http://127.0.0.1:3000', '--domain', 'https://my-name.ngrok-free.app/', '--store', store]);
    expect(url.code).toBe(2);
    expect(url.stderr).toMatch(/^error: --domain "https:\/\/my-name\.ngrok-free\.app\/" is not a host name$/m);
    expect(url.stderr).toMatch(/^hint: give the domain alone/m);
  });
});

describe('choosing a tunnel', () => {
  it('listen --help says what each tunnel needs and whether its URL is stable', async () => {
    const help = await runCli(['listen', '--help']);
    expect(help.stdout).toMatch(/^Tunnels \(--tunnel\): what each needs, and whether its URL stays the same between sessions$/m);
    expect(help.stdout).toMatch(/^  ngrok +an ngrok account \(NGROK_AUTHTOKEN\); URL changes, stable with --domain$/m);
    expect(help.stdout).toMatch(/^  cloudflared +no account; the cloudflared program on PATH; URL changes$/m);
    expect(help.stdout).toMatch(/^  ssh:\/\/host +no account with ssh:\/\/nokey@localhost\.run/m);
  });

  it('without NGROK_AUTHTOKEN, listen runs local only and names the options that need no account', async () => {
    const child = spawn(process.execPath, [BIN, 'listen', '-p', 'paystack', '--secret', 'x', '-f', 'http://127.0.0.1:3000', '--store', store], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // Stopped once it is ready (the ready lines are on stdout).
    await new Promise<void>((resolve) =>
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (/^ {2}local /m.test(stdout)) resolve();
      }),
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/^local only: for a public URL with no account, --tunnel cloudflared or --tunnel ssh:\/\/nokey@localhost\.run; NGROK_AUTHTOKEN for ngrok; --public-url for your own/m);
  });
});
