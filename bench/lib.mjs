// Shared helpers for the benchmarks: timing child processes, statistics, machine facts.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const BIN = fileURLToPath(new URL('../bin/webhook.js', import.meta.url));

/** Wall time of one child process run to completion, in ms. */
export function timeProcess(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: ROOT, ...options });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code !== 0 && !options.allowFailure) reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve(ms);
    });
  });
}

export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

export function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0], median: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), runs: sorted.length };
}

/** Interleave runs of several commands so machine noise hits them alike. */
export async function compareProcesses(cases, runs) {
  const times = Object.fromEntries(cases.map((c) => [c.name, []]));
  for (let i = 0; i < runs; i++) {
    for (const c of cases) times[c.name].push(await timeProcess(c.command, c.args, c.options));
  }
  return Object.fromEntries(Object.entries(times).map(([name, values]) => [name, summary(values)]));
}

export function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: `${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    load: os.loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

export const round = (n, digits = 2) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : n);

/**
 * One of the issue's goals as a row of the summary table: `value` (a ratio ours / baseline, or an
 * amount in `unit`) held against `limit` in the direction of `op` ('≤' for times and memory, '≥' for rates).
 */
export function goal(what, op, limit, value, unit = '×') {
  const show = (n) => `${round(n)}${unit === '×' ? '×' : ` ${unit}`}`;
  return { goal: what, target: `${op} ${show(limit)}`, measured: show(value), meets_goal: Number.isFinite(value) && (op === '≤' ? value <= limit : value >= limit) };
}

/** A fresh temp folder for one benchmark; `remove` deletes it. */
export async function scratch(prefix) {
  const dir = await mkdtemp(path.join(os.tmpdir(), `webhook-bench-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
