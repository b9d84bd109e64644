import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { catchUpMarker, startRegistration } from '../src/listen/register.js';
import { paykore } from '../src/providers/paykore.js';
import { readLedger, recordEndpoint } from '../src/registration/ledger.js';
import { listEndpoints, type PaykoreApi } from '../src/registration/paykore.js';
import { paykoreRegistrar } from '../src/registration/paykore-registrar.js';
import type { EndpointRegistrar, RegistrationContext, RegistrationEvent } from '../src/registration/types.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';

// The PayKore registrar's lifecycle against `webhook sandbox` (the local PayKore API), in process:
// what start, moved and stop do at the provider, in the store's ledger, and what they report.
const API_KEY = 'sk_test_registration_lifecycle';

let dir: string;
let sandbox: Sandbox;
let api: PaykoreApi;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'webhook-registrar-'));
  sandbox = await startSandbox({}, { clock: systemClock });
  api = { apiBase: sandbox.url, apiKey: API_KEY };
});
afterEach(async () => {
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

function context(keep?: RegistrationContext['keep']): RegistrationContext & { events: RegistrationEvent[] } {
  const events: RegistrationEvent[] = [];
  return { storeDir: dir, clock: systemClock, provider: 'PayKore', keep, onEvent: (event) => events.push(event), events };
}

/** The pid of a process that has exited: no session is running under it. */
const deadPid = () =>
  new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['-e', '']);
    child.once('exit', () => resolve(child.pid!));
  });

describe('the PayKore registrar', () => {
  it('registers the URL with a fresh secret, records it in the ledger, and deletes and forgets it on stop (once)', async () => {
    const registrar = paykoreRegistrar(api, { events: ['transaction.completed'] });
    expect(registrar.reachesLoopback).toBe(true);
    const ctx = context();
    const registration = await registrar.start('https://a.example.dev/hooks', ctx);
    expect(registration).toMatchObject({ adopted: false, secret: expect.stringMatching(/^whsec_/) });
    const remote = await listEndpoints(api);
    expect(remote).toEqual([expect.objectContaining({ id: registration.endpointId, url: 'https://a.example.dev/hooks', events: ['transaction.completed'] })]);
    // Not kept: the ledger never holds the secret.
    expect(await readLedger(dir)).toEqual([expect.objectContaining({ id: registration.endpointId, pid: process.pid })]);
    expect((await readLedger(dir))[0]!.secret).toBeUndefined();

    await registrar.stop();
    await registrar.stop();
    expect(await listEndpoints(api)).toEqual([]);
    expect(await readLedger(dir)).toEqual([]);
    expect(ctx.events).toEqual([
      { type: 'registration', state: 'registered', endpointId: registration.endpointId, url: 'https://a.example.dev/hooks' },
      { type: 'registration', state: 'deleted', endpointId: registration.endpointId },
    ]);
  });

  it('moves the endpoint with PATCH when the URL changed, and does nothing when it did not', async () => {
    const registrar = paykoreRegistrar(api);
    const ctx = context();
    const { endpointId } = await registrar.start('https://a.example.dev/hooks', ctx);
    await registrar.moved('https://a.example.dev/hooks');
    await registrar.moved('https://b.example.dev/hooks');
    expect((await listEndpoints(api)).map((e) => [e.id, e.url])).toEqual([[endpointId, 'https://b.example.dev/hooks']]);
    expect((await readLedger(dir)).map((e) => e.url)).toEqual(['https://b.example.dev/hooks']);
    expect(ctx.events.filter((e) => e.type === 'registration' && e.state === 'updated')).toEqual([
      { type: 'registration', state: 'updated', endpointId, url: 'https://b.example.dev/hooks', reason: 'the tunnel URL changed from https://a.example.dev/hooks' },
    ]);
    await registrar.stop();
  });

  it('with keep-endpoint: keeps the endpoint and its secret, and the next session adopts both, moved to its URL', async () => {
    const first = paykoreRegistrar(api);
    const firstCtx = context('keep-endpoint');
    const kept = await first.start('https://a.example.dev/hooks', firstCtx);
    await first.stop();
    expect(firstCtx.events.at(-1)).toMatchObject({ type: 'registration', state: 'kept', endpointId: kept.endpointId });
    expect(await listEndpoints(api)).toHaveLength(1);
    // The first session is gone (its process exited).
    const [entry] = await readLedger(dir);
    await recordEndpoint(dir, { ...entry!, pid: await deadPid() });

    const second = paykoreRegistrar(api);
    const ctx = context('keep-endpoint');
    const adopted = await second.start('https://b.example.dev/hooks', ctx);
    expect(adopted).toEqual({ endpointId: kept.endpointId, secret: kept.secret, adopted: true });
    expect(ctx.events).toEqual([
      { type: 'registration', state: 'adopted', endpointId: kept.endpointId, url: 'https://b.example.dev/hooks', reason: 'the same endpoint and secret as the last session, moved from https://a.example.dev/hooks' },
    ]);
    expect((await listEndpoints(api)).map((e) => e.url)).toEqual(['https://b.example.dev/hooks']);
    await second.stop();
  });

  it('registers a new endpoint, replacing the kept one, when the provider no longer has it', async () => {
    const first = paykoreRegistrar(api);
    const kept = await first.start('https://a.example.dev/hooks', context('catch-up'));
    await first.stop();
    const [entry] = await readLedger(dir);
    await recordEndpoint(dir, { ...entry!, pid: await deadPid() });
    await fetch(`${sandbox.url}/v1/webhooks/${kept.endpointId}`, { method: 'DELETE', headers: { 'x-api-key': API_KEY } }).then((r) => r.arrayBuffer());

    const second = paykoreRegistrar(api);
    const ctx = context('catch-up');
    const fresh = await second.start('https://a.example.dev/hooks', ctx);
    expect(fresh.adopted).toBe(false);
    expect(fresh.endpointId).not.toBe(kept.endpointId);
    expect(ctx.events).toEqual([expect.objectContaining({ state: 'replaced', endpointId: fresh.endpointId, replaced: kept.endpointId })]);
    expect((await readLedger(dir)).map((e) => e.id)).toEqual([fresh.endpointId]);
    await second.stop();
  });

  it('reports a failed delete in one event and does not throw', async () => {
    const registrar = paykoreRegistrar({ ...api, timeoutMs: 2_000 });
    const ctx = context();
    const { endpointId } = await registrar.start('https://a.example.dev/hooks', ctx);
    await sandbox.close();
    await registrar.stop();
    expect(ctx.events.at(-1)).toMatchObject({ type: 'registration', state: 'failed', endpointId, reason: expect.stringContaining(`could not delete endpoint ${endpointId}: cannot reach the PayKore API`) });
  });
});

describe('the registration part of listen', () => {
  /** A registrar that records what it was asked. */
  function recordingRegistrar(reachesLoopback: boolean): EndpointRegistrar & { calls: string[] } {
    const calls: string[] = [];
    return {
      calls,
      reachesLoopback,
      start: async (url) => {
        calls.push(`start ${url}`);
        return { endpointId: 'ep_1', secret: 'whsec_x', adopted: false };
      },
      moved: async (url) => void calls.push(`moved ${url}`),
      stop: async () => void calls.push('stop'),
    };
  }
  const options = (publicUrl: string | undefined, events: unknown[]) => ({
    profile: paykore,
    storeDir: dir,
    clock: systemClock,
    publicUrl,
    localUrl: 'http://127.0.0.1:1234',
    keep: undefined,
    catchUp: catchUpMarker(),
    onEvent: (event: unknown) => void events.push(event),
  });

  it('registers the public URL, moves it when the tunnel reopened elsewhere, and stops the registrar', async () => {
    const registrar = recordingRegistrar(false);
    const part = await startRegistration(registrar, options('https://a.example.dev', []));
    expect(part).toMatchObject({ endpointId: 'ep_1', secret: 'whsec_x', kept: false });
    await part.moved(undefined);
    await part.moved('https://b.example.dev');
    await part.stop();
    expect(registrar.calls).toEqual(['start https://a.example.dev', 'moved https://b.example.dev', 'stop']);
  });

  it('without a public URL: registers the local one with an API on loopback, else says it skipped', async () => {
    const local = recordingRegistrar(true);
    await startRegistration(local, options(undefined, []));
    expect(local.calls).toEqual(['start http://127.0.0.1:1234']);

    const remote = recordingRegistrar(false);
    const events: unknown[] = [];
    const part = await startRegistration(remote, options(undefined, events));
    expect(remote.calls).toEqual([]);
    expect(part.endpointId).toBeUndefined();
    expect(events).toEqual([{ type: 'registration', state: 'skipped', reason: 'PayKore needs a public URL: set NGROK_AUTHTOKEN, or pass --public-url (or --no-register)' }]);
  });
});
