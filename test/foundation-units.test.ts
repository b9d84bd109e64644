import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { UsageError } from '../src/errors.js';
import { detectTerminal } from '../src/output/terminal.js';
import { BUILTIN_PROVIDERS, getProvider, providerRegistry } from '../src/providers/index.js';
import { loadProvider, providerNames } from '../src/providers/load.js';
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

describe('one provider loaded by name (what commands use)', () => {
  it('knows the built-ins in the order of the registry, each its registry profile', async () => {
    expect(providerNames()).toEqual(BUILTIN_PROVIDERS.map((p) => p.name));
    const registry = providerRegistry();
    for (const name of providerNames()) expect(await loadProvider(name)).toBe(registry.get(name));
  });

  it('applies config as the registry does: overrides, custom providers, names in any case', async () => {
    const config = parseConfig({ providers: { paykore: { apiBase: 'http://127.0.0.1:4010', secretEnv: 'PK' }, acme: { scheme: { header: 'x-sig', algorithm: 'sha256', encoding: 'hex' }, eventField: 'kind' } } }, 'x.json');
    const registry = providerRegistry(config);
    const paykore = await loadProvider('PayKore', config);
    expect(paykore.registration).toEqual(registry.get('paykore')!.registration);
    expect(paykore.secret).toEqual(registry.get('paykore')!.secret);
    const acme = await loadProvider('acme', config);
    expect({ ...acme, scheme: undefined, eventType: undefined }).toEqual({ ...registry.get('acme')!, scheme: undefined, eventType: undefined });
    expect(acme.eventType({ kind: 'order.paid' }, {})).toBe('order.paid');
    expect(providerNames(config)).toEqual([...registry.keys()]);
  });

  it('fails as the registry does: an unknown name, and a bad entry in config whichever provider is asked for', async () => {
    const unknown = (() => {
      try {
        getProvider(providerRegistry(), 'paystak');
      } catch (error) {
        return error;
      }
    })();
    await expect(loadProvider('paystak')).rejects.toEqual(unknown);
    await expect(loadProvider('paystack', parseConfig({ providers: { acme: {} } }, 'x.json'))).rejects.toThrow(/needs "scheme"/);
    const stale = parseConfig({ providers: { stripe: { scheme: { header: 'x-sig', algorithm: 'sha256', encoding: 'hex', signedContent: '{timestamp}.{body}' } } } }, 'x.json');
    await expect(loadProvider('paystack', stale)).rejects.toThrow(UsageError);
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
