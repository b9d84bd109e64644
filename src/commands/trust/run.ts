import path from 'node:path';
import { findConfigFile } from '../../config/find.js';
import { parseConfig } from '../../config/load.js';
import { configHash, isCodeConfig, trustReasons, trustStore } from '../../config/trust.js';
import type { CliContext } from '../../context.js';
import { errorCode, ExitCode, UsageError } from '../../errors.js';
import type { TrustOptions } from './command.js';

/** Record (or list, or revoke) the user's trust in a config file. Never runs a JS config. */
export async function runTrust(fileArg: string | undefined, options: TrustOptions, ctx: CliContext): Promise<number> {
  const store = trustStore();
  const out = ctx.sink(options);
  if (options.list) {
    const entries = await store.list();
    for (const e of entries) out.json ? out.record({ type: 'trusted', ...e }) : out.line(`${e.file}  ${e.sha256.slice(0, 12)}  ${e.trustedAt}`);
    if (!out.json && entries.length === 0) out.note('no config file is trusted');
    return ExitCode.ok;
  }
  const file = fileArg ? path.resolve(ctx.cwd, fileArg) : findConfigFile(ctx.cwd);
  if (!file) throw new UsageError('no config file here to trust', { hint: 'name it: webhook trust ./webhook.config.json' });
  const shown = path.relative(ctx.cwd, file) || file;
  if (options.revoke) {
    const removed = await store.revoke(file);
    out.json ? out.record({ type: 'revoked', file, removed }) : out.line(removed ? `no longer trusted: ${shown}` : `${shown} was not trusted`);
    return ExitCode.ok;
  }
  let section: unknown;
  let reasons: string[];
  if (isCodeConfig(file)) {
    reasons = trustReasons(file, undefined);
  } else {
    // Data files are parsed (never run) to say exactly what trusting them allows.
    const { cosmiconfig } = await import('cosmiconfig');
    const found = await cosmiconfig('webhook')
      .load(file)
      .catch((error: unknown) => {
        if (errorCode(error) === 'ENOENT') throw new UsageError(`config file not found: ${shown}`, { hint: 'check the path' });
        throw new UsageError(`cannot read the config ${shown}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, { hint: 'fix the syntax of that file' });
      });
    section = found?.config;
    reasons = trustReasons(file, parseConfig(section, file));
  }
  if (reasons.length === 0) {
    out.json ? out.record({ type: 'not-needed', file }) : out.line(`nothing to trust: ${shown} sends nothing off this machine and is not code`);
    return ExitCode.ok;
  }
  const hash = await configHash(file, section).catch((error: unknown) => {
    throw new UsageError(`cannot read ${shown}: ${errorCode(error) ?? String(error)}`, { hint: 'check the path' });
  });
  await store.trust(file, hash, new Date(ctx.clock.now()));
  if (out.json) out.record({ type: 'trusted', file, sha256: hash, reasons });
  else {
    out.line(`trusted ${shown} until it changes:`);
    for (const reason of reasons) out.line(`  ${reason}`);
  }
  return ExitCode.ok;
}
