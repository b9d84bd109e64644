import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook as SvixWebhook } from 'svix';
import { startStubApp, type StubApp, type Received } from './stub-app.js';

/**
 * Small webhook handlers as people write them, right and wrong, for `webhook check` tests.
 * Each is a real HTTP server; verification uses node:crypto (Paystack) or the official svix library (Koard).
 */
export type HandlerKind = 'correct' | 'stringify' | 'no-verify' | 'ignores-timestamp' | 'crash-on-duplicate' | 'slow';

const paystackValid = (body: Buffer | string, secret: string, header: unknown) => {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(createHmac('sha512', secret).update(body).digest('hex'));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
};

/** Koard/Svix verification without the timestamp check (the bug under test). */
function svixSignatureOnly(r: Received, secret: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = `${r.headers['svix-id']}.${r.headers['svix-timestamp']}.${r.body.toString()}`;
  const expected = createHmac('sha256', key).update(signed).digest('base64');
  return String(r.headers['svix-signature'] ?? '').split(' ').some((s) => s === `v1,${expected}`);
}

function eventId(provider: 'paystack' | 'koard', r: Received): string | undefined {
  if (provider === 'koard') return r.headers['svix-id'] as string | undefined;
  try {
    const data = (JSON.parse(r.body.toString()) as { data?: { reference?: string; id?: unknown } }).data;
    return data?.reference ?? (data?.id === undefined ? undefined : String(data.id));
  } catch {
    return undefined;
  }
}

export async function startHandler(kind: HandlerKind, provider: 'paystack' | 'koard', secret: string, slowMs = 0): Promise<StubApp> {
  const seen = new Set<string>();
  return startStubApp(async (r) => {
    let verified: boolean;
    if (kind === 'no-verify') verified = true;
    else if (provider === 'paystack') {
      // The published-example bug: hashing a re-serialisation instead of the received bytes.
      const signedBytes = kind === 'stringify' ? (() => { try { return JSON.stringify(JSON.parse(r.body.toString())); } catch { return ''; } })() : r.body;
      verified = paystackValid(signedBytes, secret, r.headers['x-paystack-signature']);
    } else if (kind === 'ignores-timestamp') verified = svixSignatureOnly(r, secret);
    else {
      try {
        const body = kind === 'stringify' ? JSON.stringify(JSON.parse(r.body.toString())) : r.body.toString();
        new SvixWebhook(secret).verify(body, r.headers as Record<string, string>);
        verified = true;
      } catch {
        verified = false;
      }
    }
    if (!verified) return { status: 401, body: '{"error":"invalid signature"}' };
    const id = eventId(provider, r);
    if (id !== undefined && seen.has(id)) return kind === 'crash-on-duplicate' ? { status: 500, body: 'duplicate key value violates unique constraint' } : { status: 200, body: '{"duplicate":true}' };
    if (id !== undefined) seen.add(id);
    if (kind === 'slow') await new Promise((resolve) => setTimeout(resolve, slowMs));
    return { status: 200, body: '{"ok":true}' };
  });
}
