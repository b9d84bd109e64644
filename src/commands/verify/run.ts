import { unixSeconds } from '../../clock.js';
import type { CliContext } from '../../context.js';
import { readBodyInput, parseHeaderFlags } from '../../input.js';
import { commandSecret } from '../../secrets.js';
import { chooseProvider } from '../options/provider.js';
import type { VerifyOptions } from './command.js';
import { ExitCode } from '../../errors.js';

/** Check a signature over exactly these bytes. 0 valid, 1 invalid (with the reason). */
export async function runVerify(options: VerifyOptions, ctx: CliContext): Promise<number> {
  const profile = await chooseProvider(ctx, options.provider);
  const secret = (await commandSecret(profile, options, ctx))!;
  const headers = parseHeaderFlags(options.header ?? []);
  const body = await readBodyInput(options, ctx.streams);
  const result = profile.scheme.verify({
    body,
    secret: secret.value,
    headers,
    now: options.now ?? unixSeconds(ctx.clock),
    ...(options.tolerance !== undefined ? { toleranceSeconds: options.tolerance } : {}),
    ...(options.url !== undefined ? { url: options.url } : {}),
    ...(options.method !== undefined ? { method: options.method } : {}),
  });
  const out = ctx.sink(options);
  if (out.json) {
    out.record({ provider: profile.name, valid: result.ok, ...(result.ok ? {} : { reason: result.reason, detail: result.detail }) });
  } else if (result.ok) {
    out.line(`${out.style.green('valid')} ${profile.name} signature`);
  } else {
    out.line(`${out.style.red('invalid')}: ${result.reason} (${result.detail})`);
  }
  return result.ok ? ExitCode.ok : ExitCode.failed;
}
