import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Builder } from 'junit-report-builder';

export type JUnitBuilder = ReturnType<Builder['newBuilder']>;

/** A factory of JUnit XML builders (junit-report-builder, loaded only when --junit is asked for). */
export async function loadJUnit(): Promise<(name: string) => JUnitBuilder> {
  // A CommonJS module whose export is the builder itself (its types describe an ES default).
  const junit = (await import('junit-report-builder')).default as unknown as Builder;
  return (name) => junit.newBuilder().name(name);
}

/**
 * Write a report so the file is always whole: into a temporary file beside it, then renamed over
 * it (synchronously, so no interrupt lands half-way and CI never reads half a report).
 */
export function writeJUnitFile(file: string, builder: JUnitBuilder): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, builder.build(), 'utf8');
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}
