import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { ROOT, runCli } from './support/cli.js';

/** The live program (src/cli.ts, every command) writing to streams that are no terminal, as the build renders help. */
async function runLive(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const stream = (write: (text: string) => void) => Object.assign(new PassThrough(), {
      write: (text: string) => {
        write(text);
        return true;
      },
      isTTY: false,
    });
  const code = await main(['node', 'webhook', ...args], {
    env: { NO_COLOR: '1' },
    streams: { stdout: stream((t) => (stdout += t)), stderr: stream((t) => (stderr += t)), stdin: new PassThrough() },
  });
  return { code, stdout, stderr };
}

describe('top-level help rendered at build time', () => {
  it('is the live program’s --help, byte for byte', async () => {
    const built = await readFile(path.join(ROOT, 'dist/bundle/help.txt'), 'utf8');
    const live = await runLive(['--help']);
    expect(live.code).toBe(0);
    expect(built).toBe(live.stdout);
  });

  it('bin prints it as the program does: --help and -h on stdout, no arguments on stderr, exit 0', async () => {
    const live = await runLive(['--help']);
    const bare = await runLive([]);
    expect(bare.stderr).toBe(live.stdout);
    for (const flag of ['--help', '-h']) {
      const result = await runCli([flag]);
      expect(result).toMatchObject({ code: 0, stdout: live.stdout, stderr: '' });
    }
    expect(await runCli([])).toMatchObject({ code: 0, stdout: '', stderr: bare.stderr });
  });

  it('other arguments still reach the program', async () => {
    for (const args of [['sign', '--help'], ['help', 'sign']]) {
      const result = await runCli(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Usage: webhook sign [options]');
    }
    const version = await runCli(['-v']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('one file per command', () => {
  it('each is the program with that command: its --help, and its usage errors, as the live program gives them', async () => {
    const names = (await readdir(path.join(ROOT, 'dist/bundle/commands'))).map((f) => f.replace(/\.cjs$/, ''));
    expect(names).toEqual(expect.arrayContaining(['sign', 'verify', 'trigger', 'replay']));
    for (const name of names) {
      const help = await runLive([name, '--help']);
      expect(await runCli([name, '--help'])).toMatchObject({ code: help.code, stdout: help.stdout, stderr: help.stderr });
      const wrong = await runLive([name, '--no-such-flag']);
      expect(await runCli([name, '--no-such-flag'])).toMatchObject({ code: wrong.code, stdout: wrong.stdout, stderr: wrong.stderr });
    }
  });
});
