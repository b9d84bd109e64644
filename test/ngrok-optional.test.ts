import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { renderError } from '../src/cli.js';
import { ngrokTunnel } from '../src/tunnel/ngrok.js';

/** Collects what is written, as a Streams member. */
function capture(): Writable & { text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return Object.assign(stream, { text: () => text });
}

describe('@ngrok/ngrok is optional', () => {
  it('when the package cannot be imported, --tunnel ngrok fails with one error/hint pair naming how to add it (exit 2)', async () => {
    // A real failed import (this package does not exist), through the loader seam.
    const opener = ngrokTunnel({ load: () => import(['@ngrok', 'ngrok-not-installed-here'].join('/')) as never });
    const error = await opener.open({ url: 'http://127.0.0.1:1', port: 1 }, new AbortController().signal).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeDefined();
    const stdout = capture();
    const stderr = capture();
    const code = renderError(error, { stdout, stderr, stdin: process.stdin } as never, { debug: false, color: false, json: false });
    expect(code).toBe(2);
    expect(stdout.text()).toBe('');
    const lines = stderr.text().trimEnd().split('\n');
    expect(lines).toEqual([
      'error: --tunnel ngrok needs the optional package @ngrok/ngrok, which is not installed',
      'hint: add it with `npm i -D @ngrok/ngrok` (`npm i -g @ngrok/ngrok` next to a global webhook-cli), or run your own tunnel and pass --public-url, or --tunnel none',
    ]);
  });

  it('a package that is present but fails to load is named with its reason', async () => {
    const opener = ngrokTunnel({ load: () => Promise.reject(new Error('no prebuilt binary for this platform\nmore detail')) });
    await expect(opener.open({ url: 'http://127.0.0.1:1', port: 1 }, new AbortController().signal)).rejects.toMatchObject({
      message: '@ngrok/ngrok could not be loaded: no prebuilt binary for this platform',
      exitCode: 2,
    });
  });
});
