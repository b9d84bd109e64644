// Loopback servers the benchmarks send to, each in its own process (as the real app and the
// tool under test would be), so the load generator does not share a CPU thread with them.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

function startProcess(script, args = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL(`./processes/${script}`, import.meta.url)), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${script} exited ${code}`)));
    child.stdout.once('data', (d) =>
      resolve({
        url: `http://127.0.0.1:${String(d).trim()}`,
        pid: child.pid,
        close: () =>
          new Promise((done) => {
            child.removeAllListeners('exit');
            child.once('exit', done);
            child.kill();
          }),
      }),
    );
  });
}

/** An app that drains the body and answers 200 {"ok":true}. */
export const startApp = () => startProcess('app.mjs');

/** A minimal undici passthrough proxy in front of `target`. */
export const startPassthroughProxy = (target) => startProcess('proxy.mjs', [target]);

/** listen's semantics in the fewest lines (a reference for `webhook listen`): verify, log twice, forward, print. */
export const startLoggingProxy = (target, file, secret) => startProcess('logging-proxy.mjs', [target, file, secret]);
