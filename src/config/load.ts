import path from 'node:path';
import type { z } from 'zod';
import { errorCode, UsageError } from '../errors.js';
import { configSchema, type WebhookConfig } from './schema.js';
import { findConfigFile } from './find.js';
import { configHash, isCodeConfig, trustReasons, type TrustStore } from './trust.js';

export interface LoadedConfig {
  readonly config: WebhookConfig;
  /** The file it came from; undefined when no config file was found. */
  readonly filepath: string | undefined;
}

/** Render one validation issue as "key.path: expected X, got Y". */
function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const keyPath = issue.path.map(String).join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const at = issue.path.length ? `${keyPath}: ` : '';
    return `${at}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  let got: unknown = input;
  for (const key of issue.path) got = typeof got === 'object' && got !== null ? (got as Record<PropertyKey, unknown>)[key] : undefined;
  const shown = got === undefined ? 'nothing' : JSON.stringify(got);
  return `${keyPath}: expected ${issue.message.replace(/^Invalid input: expected /i, '')}, got ${shown}`;
}

/** Validate a config object; errors name the file, the key path, what was expected and what was found. */
export function parseConfig(input: unknown, filepath: string): WebhookConfig {
  const result = configSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const more = result.error.issues.length - 1;
  const where = path.basename(filepath);
  throw new UsageError(`${where}: ${first ? describeIssue(first, input) : 'invalid config'}${more > 0 ? ` (and ${more} more problem${more > 1 ? 's' : ''})` : ''}`, {
    hint: `fix ${filepath}; the keys are documented in docs/config.md`,
  });
}

/**
 * Find and validate the config: `explicitPath` when given, else the nearest webhook.config.*,
 * .webhookrc* or package.json#webhook from `cwd` up to the project root.
 */
export async function loadConfig(cwd: string, explicitPath?: string, trust?: TrustStore): Promise<LoadedConfig> {
  const file = explicitPath ? path.resolve(cwd, explicitPath) : findConfigFile(cwd);
  if (!file) return { config: {}, filepath: undefined };
  // Code is checked before it runs; data after it is parsed (only what it would do matters).
  if (trust && isCodeConfig(file)) await requireTrust(trust, cwd, file, trustReasons(file, undefined), await configHash(file).catch(() => ''));
  const { cosmiconfig } = await import('cosmiconfig');
  let found: { config: unknown; filepath: string } | null;
  try {
    found = await cosmiconfig('webhook').load(file);
  } catch (error) {
    if (explicitPath && errorCode(error) === 'ENOENT') {
      throw new UsageError(`config file not found: ${explicitPath}`, { hint: 'check the --config path' });
    }
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UsageError(`cannot read the config ${file}: ${message}`, { hint: 'fix the syntax of that file', cause: error });
  }
  if (!found) return { config: {}, filepath: undefined };
  const config = parseConfig(found.config, found.filepath);
  if (trust && !isCodeConfig(found.filepath)) {
    const reasons = trustReasons(found.filepath, config);
    if (reasons.length > 0) await requireTrust(trust, cwd, found.filepath, reasons, await configHash(found.filepath, found.config));
  }
  return { config, filepath: found.filepath };
}

async function requireTrust(trust: TrustStore, cwd: string, file: string, reasons: readonly string[], hash: string): Promise<void> {
  if (await trust.isTrusted(file, hash)) return;
  const shown = path.relative(cwd, file) || file;
  throw new UsageError(`${shown} needs your trust first: ${reasons.join('; ')}`, {
    hint: `read it; if that is what you want, run \`webhook trust ${shown.includes(' ') ? JSON.stringify(shown) : shown}\` (remembered until the file changes)`,
  });
}
