import type { Builder } from 'junit-report-builder';

/** A JUnit XML builder (junit-report-builder, loaded only when --junit is asked for). */
export async function newJUnitBuilder(name: string): Promise<ReturnType<Builder['newBuilder']>> {
  // A CommonJS module whose export is the builder itself (its types describe an ES default).
  const junit = (await import('junit-report-builder')).default as unknown as Builder;
  return junit.newBuilder().name(name);
}
