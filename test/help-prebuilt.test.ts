import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { ROOT, runCli } from './support/cli.js';

/** The live program's top-level help, written to a stream that is no terminal (as the build renders it). */
async function liveHelp(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const stream = (write: (text: string) => void) => Object.assign(new PassThrough(), { write: (text: string) => (write(text), true), isTTY: false });
  const code = await main(['node', 'webhook', ...args], {
    env: { NO_COLOR: '1' },
    streams: { stdout: stream((t) => (stdout += t)), stderr: stream((t) => (stderr += t)), stdin: new PassThrough() },
  });
  return { code, stdout, stderr };
}

describe('top-level help rendered at build time', () => {
  it('is the live program’s --help, byte for byte', async () => {
    const built = await readFile(path.join(ROOT, 'dist/bundle/help.txt'), 'utf8');
    const live = await liveHelp(['--help']);
    expect(live.code).toBe(0);
    expect(built).toBe(live.stdout);
  });

  it('bin prints it as the program does: --help and -h on stdout, no arguments on stderr, exit 0', async () => {
    const live = await liveHelp(['--help']);
    const bare = await liveHelp([]);
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
