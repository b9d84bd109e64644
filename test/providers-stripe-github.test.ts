/**
 * Stripe and GitHub built-in events, sent by the built CLI and accepted by each provider's
 * official library.
 *
 * Where the shapes come from:
 * - Stripe's event envelope: https://docs.stripe.com/api/events/object (id, object "event",
 *   api_version, created, data.object, data.previous_attributes, livemode, pending_webhooks,
 *   request {id, idempotency_key}, type). The objects' fields follow the API reference pages
 *   (https://stripe.com/docs/api/payment_intents and its siblings for charges, disputes,
 *   checkout sessions, customers, subscriptions, invoices, refunds, payouts, setup intents,
 *   payment methods) as declared for the pinned API version by the `stripe` package's own type
 *   definitions, which the test below reads.
 * - GitHub's delivery headers: https://github.com/github/docs/blob/main/content/webhooks/webhook-events-and-payloads.md
 *   (X-GitHub-Hook-ID, X-GitHub-Event, X-GitHub-Delivery a GUID, X-Hub-Signature sha1 kept for
 *   compatibility, X-Hub-Signature-256, User-Agent prefix "GitHub-Hookshot/") and
 *   https://www.fasthook.io/github-webhook-headers (X-GitHub-Hook-Installation-Target-Type/-ID).
 */
import { createHmac } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { BUILTIN_FIXTURES_DIR } from '../src/payloads/catalog.js';
import { readFixtureFile } from '../src/payloads/load.js';
import { systemTemplateSource } from '../src/payloads/template.js';
import { github } from '../src/providers/github.js';
import { stripe as stripeProfile } from '../src/providers/stripe.js';
import { runCli } from './support/cli.js';
import { startListenCli } from './support/listen.js';
import { startStubApp, type Received, type StubApp } from './support/stub-app.js';

const STRIPE_SECRET = 'whsec_test_builtin_events_3f9a';
const GITHUB_SECRET = 'octo builtin secret';
const stripeClient = new Stripe('sk_test_unused');
const STRIPE_TYPES = fileURLToPath(new URL('../node_modules/stripe/esm/resources/', import.meta.url));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let app: StubApp;
let store: string;
let stripeEvents: string[];
let githubEvents: string[];

const names = async (provider: string) =>
  (await readdir(path.join(BUILTIN_FIXTURES_DIR, provider))).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).sort();
const cli = (args: string[]) => runCli(args, { env: { WEBHOOK_STORE: store }, cwd: store });

beforeAll(async () => {
  app = await startStubApp();
  store = await mkdtemp(path.join(tmpdir(), 'webhook-stripe-github-'));
  stripeEvents = await names('stripe');
  githubEvents = await names('github');
});
beforeEach(() => {
  app.received.length = 0;
});
afterAll(async () => {
  await app.close();
  await rm(store, { recursive: true, force: true });
});

/** Stripe's own check: throws unless the signature over these exact bytes matches. */
function constructEvent(request: Received, secret = STRIPE_SECRET): Stripe.Event {
  return stripeClient.webhooks.constructEvent(request.body, String(request.headers['stripe-signature']), secret);
}

/** The fields the `stripe` package declares as always present (not `?:`) on one resource interface. */
async function requiredFields(file: string, name: string): Promise<string[]> {
  const lines = (await readFile(path.join(STRIPE_TYPES, file), 'utf8')).split('\n');
  const start = lines.indexOf(`export interface ${name} {`);
  expect(start, `${name} in ${file}`).toBeGreaterThan(-1);
  const fields: string[] = [];
  for (let i = start + 1; i < lines.length && !lines[i]!.startsWith('}'); i++) {
    const m = /^ {4}(\w+): /.exec(lines[i]!);
    if (m && !lines[i]!.includes(': void;')) fields.push(m[1]!);
  }
  return fields;
}

/** Every event type the `stripe` package knows (its Event.Type union). */
async function stripeEventTypes(): Promise<Set<string>> {
  const text = await readFile(path.join(STRIPE_TYPES, 'Events.d.ts'), 'utf8');
  const union = /type Type = ([^;]+);/.exec(text)![1]!;
  return new Set([...union.matchAll(/'([^']+)'/g)].map((m) => m[1]!));
}

/** The resource each event carries in data.object, and where the stripe package declares it. */
const STRIPE_OBJECTS: ReadonlyArray<[prefix: string, object: string, file: string, iface: string]> = [
  ['payment_intent.', 'payment_intent', 'PaymentIntents.d.ts', 'PaymentIntent'],
  ['charge.dispute.', 'dispute', 'Disputes.d.ts', 'Dispute'],
  ['charge.', 'charge', 'Charges.d.ts', 'Charge'],
  ['checkout.session.', 'checkout.session', 'Checkout/Sessions.d.ts', 'Session'],
  ['customer.subscription.', 'subscription', 'Subscriptions.d.ts', 'Subscription'],
  ['customer.', 'customer', 'Customers.d.ts', 'Customer'],
  ['invoice.', 'invoice', 'Invoices.d.ts', 'Invoice'],
  ['refund.', 'refund', 'Refunds.d.ts', 'Refund'],
  ['payout.', 'payout', 'Payouts.d.ts', 'Payout'],
  ['setup_intent.', 'setup_intent', 'SetupIntents.d.ts', 'SetupIntent'],
  ['payment_method.', 'payment_method', 'PaymentMethods.d.ts', 'PaymentMethod'],
];

describe('Stripe built-in events', () => {
  it('cover the events people trigger most, each a real Stripe event type whose data.object has every field the stripe package declares', async () => {
    expect(stripeEvents.length).toBeGreaterThanOrEqual(30);
    for (const wanted of [
      'payment_intent.succeeded', 'payment_intent.payment_failed', 'payment_intent.created', 'payment_intent.canceled', 'payment_intent.requires_action',
      'payment_intent.processing', 'payment_intent.amount_capturable_updated', 'charge.succeeded', 'charge.failed', 'charge.refunded', 'charge.captured',
      'charge.updated', 'charge.dispute.created', 'charge.dispute.closed', 'checkout.session.completed', 'checkout.session.expired',
      'checkout.session.async_payment_succeeded', 'checkout.session.async_payment_failed', 'customer.created', 'customer.updated', 'customer.deleted',
      'customer.subscription.created', 'customer.subscription.updated', 'customer.subscription.deleted', 'customer.subscription.trial_will_end',
      'invoice.paid', 'invoice.payment_failed', 'invoice.finalized', 'invoice.upcoming', 'invoice.payment_succeeded', 'refund.created', 'refund.updated',
      'payout.paid', 'setup_intent.succeeded',
    ]) expect(stripeEvents).toContain(wanted);

    const known = await stripeEventTypes();
    const source = systemTemplateSource(systemClock);
    for (const event of stripeEvents) {
      expect(known.has(event), `${event} is not a Stripe event type`).toBe(true);
      const fixture = await readFixtureFile(path.join(BUILTIN_FIXTURES_DIR, 'stripe', `${event}.json`), source);
      const body = JSON.parse(Buffer.from(fixture.body).toString('utf8')) as { data: { object: Record<string, unknown> } };
      const [, object, file, iface] = STRIPE_OBJECTS.find(([prefix]) => event.startsWith(prefix))!;
      expect(body.data.object.object, event).toBe(object);
      const missing = (await requiredFields(file, iface)).filter((field) => !(field in body.data.object));
      expect(missing, `${event}: data.object lacks fields of ${iface}`).toEqual([]);
    }
  });

  it('every fixture, sent by `replay fixtures/stripe`, is accepted by stripe.webhooks.constructEvent, in Stripe\'s event envelope with fresh ids', async () => {
    const result = await cli(['replay', path.join(BUILTIN_FIXTURES_DIR, 'stripe'), '--to', `${app.url}/stripe`, '--secret', STRIPE_SECRET]);
    expect(result.stderr).toMatch(/^replaying \d+ fixtures to /);
    expect(result.code).toBe(0);
    expect(app.received).toHaveLength(stripeEvents.length);
    const types: string[] = [];
    for (const request of app.received) {
      const event = constructEvent(request);
      types.push(event.type);
      expect(request.headers['user-agent']).toBe('Stripe/1.0 (+https://stripe.com/docs/webhooks)');
      expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(event).toMatchObject({ object: 'event', livemode: false });
      const object = event.data.object as unknown as Record<string, unknown>;
      if ('livemode' in object) expect(object.livemode, event.type).toBe(false);
      expect(event.id).toMatch(/^evt_\w{12,}$/);
      expect(event.api_version).toMatch(/^\d{4}-\d{2}-\d{2}\.[a-z]+$/);
      expect(Math.abs(event.created - Date.now() / 1000)).toBeLessThan(3600);
      expect(Object.keys(event.request ?? {}).sort()).toEqual(['id', 'idempotency_key']);
      expect(event.pending_webhooks).toBeGreaterThan(0);
    }
    expect(types.sort()).toEqual(stripeEvents);
    // and the signature is really checked: another secret is refused by Stripe's library
    expect(() => constructEvent(app.received[0]!, 'whsec_someone_else')).toThrow(/signature/i);
  });

  it('`trigger payment_intent.succeeded -p stripe --secret whsec_…` is accepted by Stripe; two sends carry different event and object ids', async () => {
    for (let i = 0; i < 2; i++) {
      const result = await cli(['trigger', 'payment_intent.succeeded', '-p', 'stripe', '--to', app.url, '--secret', STRIPE_SECRET]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    const [first, second] = app.received.map((r) => constructEvent(r));
    expect(first!.type).toBe('payment_intent.succeeded');
    const intent = first!.data.object as Stripe.PaymentIntent;
    expect(intent).toMatchObject({ object: 'payment_intent', status: 'succeeded', amount: 2000, amount_received: 2000, currency: 'usd' });
    expect(second!.id).not.toBe(first!.id);
    expect((second!.data.object as Stripe.PaymentIntent).id).not.toBe(intent.id);
  });

  it('the profile reads each file name as the event, and templates make each render fresh', async () => {
    const source = systemTemplateSource(systemClock);
    for (const event of stripeEvents) {
      const file = path.join(BUILTIN_FIXTURES_DIR, 'stripe', `${event}.json`);
      const [a, b] = [await readFixtureFile(file, source), await readFixtureFile(file, source)];
      expect(stripeProfile.eventType(JSON.parse(Buffer.from(a.body).toString('utf8')), {}), file).toBe(event);
      expect(Buffer.from(a.body).equals(Buffer.from(b.body)), `${file} should carry a template`).toBe(false);
    }
  });
});

describe('GitHub built-in events', () => {
  // Receivers dedupe GitHub deliveries on the X-GitHub-Delivery header (fresh on every send), so
  // a body need not change between sends; its timestamps ({{now}}) do.
  it('cover at least 15 events, named X-GitHub-Event plus the payload\'s action', async () => {
    expect(github.dedupeKey).toBe('x-github-delivery');
    expect(githubEvents.length).toBeGreaterThanOrEqual(15);
    for (const wanted of ['ping', 'push', 'pull_request.opened', 'issues.opened', 'issue_comment.created', 'release.published', 'workflow_run.completed',
      'workflow_job.completed', 'check_run.completed', 'check_suite.completed', 'create', 'delete', 'fork', 'star.created', 'pull_request_review.submitted',
      'deployment.created', 'deployment_status.created']) expect(githubEvents).toContain(wanted);
    const source = systemTemplateSource(systemClock);
    for (const event of githubEvents) {
      const file = path.join(BUILTIN_FIXTURES_DIR, 'github', `${event}.json`);
      const payload = JSON.parse(Buffer.from((await readFixtureFile(file, source)).body).toString('utf8')) as { action?: string; sender?: unknown; repository?: { id?: number } };
      expect(github.eventType(payload, github.eventHeaders!(event, 'd1')), file).toBe(event);
      expect(payload.action === undefined, `${file}: a dotted name needs an action, a plain one none`).toBe(!event.includes('.'));
      expect(payload.sender, file).toBeDefined();
      expect(payload.repository?.id, `${file}: the repository the hook headers name`).toBe(1296269);
    }
  });

  it('every fixture, sent by `replay fixtures/github`, is accepted by @octokit/webhooks-methods verify, with GitHub\'s delivery headers', async () => {
    const result = await cli(['replay', path.join(BUILTIN_FIXTURES_DIR, 'github'), '--to', `${app.url}/github`, '--secret', GITHUB_SECRET]);
    expect(result.stderr).toMatch(/^replaying \d+ fixtures to /);
    expect(result.code).toBe(0);
    expect(app.received).toHaveLength(githubEvents.length);
    const seen: string[] = [];
    const deliveries = new Set<string>();
    for (const request of app.received) {
      const raw = request.body.toString('utf8');
      const h = request.headers;
      expect(await octokitVerify(GITHUB_SECRET, raw, String(h['x-hub-signature-256']))).toBe(true);
      expect(await octokitVerify('another secret', raw, String(h['x-hub-signature-256']))).toBe(false);
      expect(h['x-hub-signature']).toBe(`sha1=${createHmac('sha1', GITHUB_SECRET).update(request.body).digest('hex')}`);
      expect(String(h['x-github-delivery'])).toMatch(UUID);
      deliveries.add(String(h['x-github-delivery']));
      expect(h).toMatchObject({
        'x-github-hook-id': '447436123',
        'x-github-hook-installation-target-type': 'repository',
        'x-github-hook-installation-target-id': '1296269',
        'content-type': 'application/json',
      });
      expect(String(h['user-agent'])).toMatch(/^GitHub-Hookshot\//);
      const event = String(h['x-github-event']);
      expect(event).toMatch(/^[a-z_]+$/);
      const { action } = JSON.parse(raw) as { action?: string };
      seen.push(action ? `${event}.${action}` : event);
    }
    expect(seen.sort()).toEqual(githubEvents);
    expect(deliveries.size).toBe(githubEvents.length);
  });

  it('`trigger push` and `trigger pull_request.opened` send X-GitHub-Event push / pull_request, verified by octokit', async () => {
    for (const event of ['push', 'pull_request.opened']) {
      const result = await cli(['trigger', event, '-p', 'github', '--to', app.url, '--secret', GITHUB_SECRET]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    const [push, opened] = app.received;
    expect(push!.headers['x-github-event']).toBe('push');
    expect(opened!.headers['x-github-event']).toBe('pull_request');
    expect(JSON.parse(opened!.body.toString('utf8'))).toMatchObject({ action: 'opened', number: 1348, pull_request: { state: 'open' } });
    for (const r of [push!, opened!]) expect(await octokitVerify(GITHUB_SECRET, r.body.toString('utf8'), String(r.headers['x-hub-signature-256']))).toBe(true);
    expect(push!.headers['x-github-delivery']).not.toBe(opened!.headers['x-github-delivery']);
  });

  it('`listen` names a received delivery by header and action, verifies it and forwards the bytes and headers unchanged', async () => {
    const listen = await startListenCli(['-p', 'github', '--secret', GITHUB_SECRET, '-f', `${app.url}/hooks`, '--store', path.join(store, 'listen')]);
    try {
      for (const event of ['pull_request.closed', 'push']) {
        const sent = await cli(['trigger', event, '-p', 'github', '--to', listen.ready.localUrl, '--secret', GITHUB_SECRET]);
        expect(sent.code).toBe(0);
        expect(await listen.next((e) => e.type === 'delivery')).toMatchObject({ event, signature: 'verified', status: 200, answered: 200 });
      }
    } finally {
      expect(await listen.stop()).toBe(130);
    }
    const [closed, push] = app.received;
    expect(closed!.headers['x-github-event']).toBe('pull_request');
    expect(JSON.parse(closed!.body.toString('utf8'))).toMatchObject({ action: 'closed', pull_request: { merged: true } });
    expect(await octokitVerify(GITHUB_SECRET, closed!.body.toString('utf8'), String(closed!.headers['x-hub-signature-256']))).toBe(true);
    expect(push!.headers['x-github-event']).toBe('push');
  });

  it('a bare event that has actions (`trigger pull_request`) is a usage error naming the actions to choose from', async () => {
    const result = await cli(['trigger', 'pull_request', '-p', 'github', '--to', app.url, '--secret', GITHUB_SECRET]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: unknown github event "pull_request"\nhint: did you mean .*"pull_request\.opened"/);
    expect(app.received).toHaveLength(0);
  });
});

describe('webhook providers', () => {
  it('counts the Stripe and GitHub built-in events from their files', async () => {
    const result = await cli(['providers', '--json']);
    expect(result.code).toBe(0);
    const rows = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string; eventCount: number; events: string[] });
    expect(rows.find((r) => r.name === 'stripe')).toMatchObject({ eventCount: stripeEvents.length, events: stripeEvents });
    expect(rows.find((r) => r.name === 'github')).toMatchObject({ eventCount: githubEvents.length, events: githubEvents });
  });
});

describe('docs', () => {
  it('docs/providers/stripe.md, github.md and docs/fixtures.md name every built-in event', async () => {
    const fixturesDoc = await readFile(new URL('../docs/fixtures.md', import.meta.url), 'utf8');
    for (const [provider, events] of [['stripe', stripeEvents], ['github', githubEvents]] as const) {
      const page = await readFile(new URL(`../docs/providers/${provider}.md`, import.meta.url), 'utf8');
      for (const event of events) {
        expect(page, `docs/providers/${provider}.md`).toContain(`\`${event}\``);
        expect(fixturesDoc, 'docs/fixtures.md').toContain(`\`${event}\``);
      }
      expect(page).toContain(`the ${events.length} built-in events`);
    }
  });
});
