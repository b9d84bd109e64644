import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { UsageError } from '../src/errors.js';
import { detectTerminal } from '../src/output/terminal.js';
import { getProvider, providerRegistry } from '../src/providers/index.js';
import { maskSecret, redactSecrets, resolveSecret } from '../src/secrets.js';

function streams(tty: boolean) {
  const stdout = Object.assign(new PassThrough(), { isTTY: tty });
  const stdin = Object.assign(new PassThrough(), { isTTY: tty });
  return { stdout, stderr: stdout, stdin };
}

describe('detectTerminal', () => {
  it('colour and interactivity only on a TTY outside CI', () => {
    expect(detectTerminal({}, streams(true))).toEqual({ color: true, interactive: true });
    expect(detectTerminal({}, streams(false))).toEqual({ color: false, interactive: false });
    expect(detectTerminal({ CI: 'true' }, streams(true))).toEqual({ color: true, interactive: false });
  });
  it('NO_COLOR wins over FORCE_COLOR; FORCE_COLOR colours a pipe', () => {
    expect(detectTerminal({ NO_COLOR: '1', FORCE_COLOR: '1' }, streams(true)).color).toBe(false);
    expect(detectTerminal({ FORCE_COLOR: '1' }, streams(false)).color).toBe(true);
    expect(detectTerminal({}, streams(true), { color: false }).color).toBe(false);
  });
});

describe('provider registry', () => {
  it('overrides a built-in from config and keeps the rest', () => {
    const config = parseConfig({ providers: { paykore: { apiBase: 'http://127.0.0.1:4010', secretEnv: 'PK' } } }, 'x.json');
    const paykore = getProvider(providerRegistry(config), 'PayKore');
    expect(paykore.registration?.apiBase).toBe('http://127.0.0.1:4010');
    expect(paykore.registration?.apiKeyEnv).toBe('PAYKORE_API_KEY');
    expect(paykore.secret.envVar).toBe('PK');
  });

  it('a custom provider needs a scheme and reads its event type from eventField', () => {
    expect(() => providerRegistry(parseConfig({ providers: { acme: {} } }, 'x.json'))).toThrow(/needs "scheme"/);
    const registry = providerRegistry(parseConfig({ providers: { acme: { scheme: { header: 'x-sig', algorithm: 'sha256', encoding: 'hex' }, eventField: 'kind' } } }, 'x.json'));
    const acme = getProvider(registry, 'acme');
    expect(acme.custom).toBe(true);
    expect(acme.eventType({ kind: 'order.paid' }, {})).toBe('order.paid');
    expect(acme.secret.envVar).toBe('ACME_WEBHOOK_SECRET');
  });

  it('a timestamped custom scheme needs its timestamp header', () => {
    const config = parseConfig({ providers: { acme: { scheme: { header: 'x-sig', algorithm: 'sha256', encoding: 'hex', signedContent: '{timestamp}.{body}' } } } }, 'x.json');
    expect(() => providerRegistry(config)).toThrow(UsageError);
  });
});

describe('secrets', () => {
  const profile = getProvider(providerRegistry(), 'koard');
  it('flag beats env; source is printable, value is not echoed by mask', () => {
    const resolved = resolveSecret(profile, undefined, { KOARD_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
    expect(resolved?.source).toBe('$KOARD_WEBHOOK_SECRET');
    expect(maskSecret(resolved!.value)).not.toContain('MfKQ');
    expect(redactSecrets(`key=${resolved!.value}!`, [resolved!.value])).toBe(`key=${maskSecret(resolved!.value)}!`);
  });
  it('optional resolution returns undefined instead of throwing', () => {
    expect(resolveSecret(profile, undefined, {}, { required: false })).toBeUndefined();
  });
});
