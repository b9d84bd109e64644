import type { z } from 'zod';

/**
 * JSON from outside this process (a file in the store, another process's answer, an API) is
 * checked against a zod schema, never cast: the result is the value or one line saying why not.
 */
export function parseUntrustedJson<T>(schema: z.ZodType<T>, text: string, what: string): { value: T } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'invalid JSON' };
  }
  return checkUntrusted(schema, value, what);
}

/** The same for a value already parsed. */
export function checkUntrusted<T>(schema: z.ZodType<T>, value: unknown, what: string): { value: T } | { problem: string } {
  const parsed = schema.safeParse(value);
  return parsed.success ? { value: parsed.data } : { problem: schemaProblem(parsed.error, what) };
}

/** Why a value is not of a schema's shape: "field: message" of the first issue. */
export function schemaProblem(error: z.ZodError, what: string): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.map(String).join('.') || what}: ${issue.message}` : `not ${what}`;
}
