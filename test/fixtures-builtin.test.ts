import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_FIXTURES_DIR } from '../src/payloads/catalog.js';
import { readFixtureFile } from '../src/payloads/load.js';
import { systemTemplateSource } from '../src/payloads/template.js';
import { systemClock } from '../src/clock.js';
import { BUILTIN_PROVIDERS } from '../src/providers/index.js';

/** What the providers document (shared/providers.md): every event has a fixture. */
const EXPECTED_COUNTS: Record<string, number> = { paykore: 8, paystack: 24, koard: 20, generic: 5 };

describe('built-in fixtures', () => {
  it('cover every documented event of each seed provider', async () => {
    for (const [provider, count] of Object.entries(EXPECTED_COUNTS)) {
      const files = (await readdir(path.join(BUILTIN_FIXTURES_DIR, provider))).filter((f) => f.endsWith('.json'));
      expect(files, provider).toHaveLength(count);
    }
    expect(await readdir(path.join(BUILTIN_FIXTURES_DIR, 'paykore'))).toEqual(
      expect.arrayContaining(['transaction.completed.json', 'transaction.failed.json', 'kyc.verified.json', 'kyc.failed.json']),
    );
  });

  it('render to JSON whose event type, as the provider profile reads it, is the file name; templates make body ids fresh where receivers dedupe on them', async () => {
    const source = systemTemplateSource(systemClock);
    for (const provider of Object.keys(EXPECTED_COUNTS)) {
      const profile = BUILTIN_PROVIDERS.find((p) => p.name === provider)!;
      for (const file of await readdir(path.join(BUILTIN_FIXTURES_DIR, provider))) {
        const full = path.join(BUILTIN_FIXTURES_DIR, provider, file);
        const first = await readFixtureFile(full, source);
        const second = await readFixtureFile(full, source);
        const payload = JSON.parse(Buffer.from(first.body).toString('utf8')) as unknown;
        expect(profile.eventType(payload, {}), full).toBe(file.replace(/\.json$/, ''));
        // Receivers dedupe on a body id unless the scheme sends a fresh message id header (Svix).
        if (!profile.scheme.usesId) expect(Buffer.from(first.body).equals(Buffer.from(second.body)), `${full} should carry a template`).toBe(false);
      }
    }
  });
});
