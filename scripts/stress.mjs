#!/usr/bin/env node
// The suite under load: build once, then run the whole suite (vitest run) N times in a row (default
// 10, or `npm run test:stress -- --runs 3`) while a child process keeps one core busy. Stops at the
// first failing run and prints its output; ends with one summary line. Not part of .ci/run.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag === -1 ? 10 : Number(process.argv[runsFlag + 1]);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('error: --runs takes a whole number of at least 1');
  process.exit(2);
}

/** Run a command to its end; resolves to its exit code and everything it printed. */
function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));

const build = await run(npm, ['run', 'build']);
if (build.code !== 0) {
  process.stdout.write(build.output);
  console.log('stress: the build failed, no run made');
  process.exit(1);
}

// One core kept busy for the whole loop, as another process on a 2-core machine would.
const busy = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
const stopBusy = () => {
  if (busy.exitCode === null && busy.signalCode === null) busy.kill('SIGKILL');
};
process.on('exit', stopBusy);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopBusy();
    console.log(`stress: interrupted`);
    process.exit(130);
  });
}

const seconds = [];
let failed;
for (let i = 1; i <= runs; i++) {
  const started = performance.now();
  const result = await run(process.execPath, [vitest, 'run']);
  const took = (performance.now() - started) / 1000;
  seconds.push(took);
  const tests = /Tests\s+(.+?)\s*\(\d+\)/.exec(result.output)?.[1] ?? 'no test count';
  console.log(`run ${i}/${runs}: ${result.code === 0 ? 'passed' : `FAILED (exit ${result.code})`}, ${tests}, ${took.toFixed(1)} s`);
  if (result.code !== 0) {
    failed = i;
    process.stdout.write(result.output);
    break;
  }
}
stopBusy();

const mean = seconds.reduce((a, b) => a + b, 0) / seconds.length;
const slowest = Math.max(...seconds);
if (failed === undefined) {
  console.log(`stress: ${runs} of ${runs} runs passed with one core kept busy (mean ${mean.toFixed(1)} s, slowest ${slowest.toFixed(1)} s)`);
} else {
  console.log(`stress: run ${failed} of ${runs} failed with one core kept busy (${failed - 1} passed before it; mean ${mean.toFixed(1)} s)`);
  process.exitCode = 1;
}
