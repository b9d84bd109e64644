import type { CliContext } from '../../context.js';
import { signRequest } from '../../delivery/sign.js';
import { readBodyInput } from '../../input.js';
import { commandSecret } from '../../secrets.js';
import { chooseProvider } from '../options/provider.js';
import type { SignOptions } from './command.js';
import { ExitCode } from '../../errors.js';

/** Print the headers the provider would send with exactly these bytes. */
export async function runSign(options: SignOptions, ctx: CliContext): Promise<number> {
  const profile = await chooseProvider(ctx, options.provider);
  const secret = (await commandSecret(profile, options, ctx))!;
  const body = await readBodyInput(options, ctx.streams);
  const signed = signRequest(profile, { body, secret: secret.value, id: options.id, timestamp: options.timestamp, event: options.event, url: options.url, method: options.method }, ctx.clock);
  const out = ctx.sink(options);
  const urlChanged = signed.url !== undefined && signed.url !== options.url;
  // Schemes that sign inside the body (Mailgun) change the bytes: show the ones to send.
  const bodyChanged = !Buffer.from(signed.body).equals(Buffer.from(body));
  if (out.json) {
    out.record({ provider: profile.name, id: signed.id, timestamp: signed.timestamp, headers: signed.headers, ...(urlChanged ? { url: signed.url } : {}), ...(bodyChanged ? { body: Buffer.from(signed.body).toString('utf8') } : {}) });
  } else {
    if (urlChanged) out.note(`send it to ${signed.url} (the URL that was signed)`);
    for (const [name, value] of Object.entries(signed.headers)) out.line(`${name}: ${value}`);
    if (bodyChanged) {
      out.note(`${profile.name} signs inside the body: send these bytes`);
      out.line(Buffer.from(signed.body).toString('utf8'));
    }
  }
  return ExitCode.ok;
}
