import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { signAndSend } from '../delivery/trigger.js';
import { loadFixture } from '../payloads/load.js';
import { startListen, type ListenSession } from '../listen/listen.js';
import type { ListenEvent } from '../listen-events.js';
import { koard } from '../providers/koard.js';
import { paykore } from '../providers/paykore.js';
import { paystack } from '../providers/paystack.js';
import { startSandbox, type Sandbox } from '../sandbox/server.js';
import { openDeliveryLog, type DeliveryLog } from '../store/delivery-log.js';
import { loopbackTunnel } from '../tunnel/loopback.js';
import { staticTunnel } from '../tunnel/types.js';
import { startDemoApp, type DemoApp } from './app.js';

/** The sandbox API key the demo registers with (a test key; the sandbox stores only its hash). */
const DEMO_API_KEY = 'sk_test_webhook_demo';
/** The event the demo app refuses, to show a failing handler in the log. */
const REJECTED_EVENT = 'charge.dispute.create';

export interface DemoOptions {
  readonly storeDir: string;
  /** Pause between deliveries so a person can watch them arrive (0 off a terminal). */
  readonly paceMs: number;
}

export interface DemoDeps {
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly onEvent: (event: ListenEvent) => void;
}

export interface DemoSummary {
  readonly deliveries: number;
  readonly verified: number;
  readonly forged: number;
  readonly rejectedByApp: number;
  readonly forwarded: number;
}

export interface Demo {
  readonly log: DeliveryLog;
  readonly app: DemoApp;
  readonly sandbox: Sandbox;
  /** The PayKore session (registered with the sandbox through the loopback tunnel). */
  readonly paykore: ListenSession;
  readonly sessions: readonly ListenSession[];
  /** Emit the demo's events (PayKore through the sandbox, Paystack and Koard signed directly) and wait for every outcome. */
  play(): Promise<DemoSummary>;
  stop(): Promise<void>;
}

const wait = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
  });

/**
 * `webhook demo`: a verifying app, the PayKore sandbox, and listen sessions for PayKore
 * (registered through a loopback tunnel), Paystack and Koard, all writing one delivery log.
 */
export async function startDemo(options: DemoOptions, deps: DemoDeps): Promise<Demo> {
  const { clock } = deps;
  const secrets = { paystack: `sk_test_demo_${randomBytes(8).toString('hex')}`, koard: `whsec_${randomBytes(24).toString('base64')}` };
  const log = await openDeliveryLog(options.storeDir, { command: 'demo' });
  const stops: (() => Promise<void>)[] = [() => log.close()];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => {});
  };
  try {
    let paykoreSession: ListenSession | undefined;
    const app = await startDemoApp({
      providers: [
        { profile: paykore, secret: () => paykoreSession?.secret() },
        { profile: paystack, secret: () => secrets.paystack },
        { profile: koard, secret: () => secrets.koard },
      ],
      rejectEvents: [REJECTED_EVENT],
      clock,
    });
    stops.push(() => app.close());
    const sandbox = await startSandbox({}, { clock });
    stops.push(() => sandbox.close());

    const common = { storeDir: options.storeDir, log };
    paykoreSession = await startListen(
      { ...common, profile: paykore, forwardTo: new URL(`${app.url}/webhooks/paykore`), tunnel: loopbackTunnel(), registration: await paykore.registration!.registrar({ apiBase: sandbox.url, apiKey: DEMO_API_KEY }, {}) },
      deps,
    );
    stops.push(() => paykoreSession!.stop());
    const local = { kind: 'none', open: async () => staticTunnel('none', undefined) };
    const paystackSession = await startListen({ ...common, profile: paystack, secret: secrets.paystack, forwardTo: new URL(`${app.url}/webhooks/paystack`), tunnel: local, writeSessionFile: false }, deps);
    stops.push(() => paystackSession.stop());
    const koardSession = await startListen({ ...common, profile: koard, secret: secrets.koard, forwardTo: new URL(`${app.url}/webhooks/koard`), tunnel: local, writeSessionFile: false }, deps);
    stops.push(() => koardSession.stop());

    const outcomes = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => {
          // Every delivery so far has its outcome (answered ok or not): the log's running totals say so.
          const { total, ok, failed } = log.tally();
          if (total >= n && ok + failed === total) {
            unsubscribe();
            resolve();
          }
        };
        const unsubscribe = log.subscribe(check);
        check();
      });

    async function play(): Promise<DemoSummary> {
      const start = log.size();
      let expected = 0;
      const steps: (() => Promise<unknown>)[] = [];
      for (const event of ['transaction.completed', 'kyc.verified', 'settlement.completed']) {
        steps.push(() => fetch(`${sandbox.url}/v1/events`, { method: 'POST', headers: { 'x-api-key': DEMO_API_KEY }, body: JSON.stringify({ event }) }).then((r) => r.arrayBuffer()));
      }
      const direct = (session: ListenSession, profile: typeof paystack, event: string, secret: string) => async () =>
        signAndSend({ profile, event, fixture: await loadFixture({ provider: profile.name, event, clock }), url: new URL(session.localUrl), secret, clock });
      steps.push(direct(paystackSession, paystack, 'charge.success', secrets.paystack));
      steps.push(direct(paystackSession, paystack, 'transfer.success', secrets.paystack));
      steps.push(direct(paystackSession, paystack, 'charge.success', 'sk_test_forged_by_someone_else')); // forged: flagged by listen, refused by the app
      steps.push(direct(paystackSession, paystack, REJECTED_EVENT, secrets.paystack)); // the app refuses it
      steps.push(direct(koardSession, koard, 'transaction.captured', secrets.koard));
      steps.push(direct(koardSession, koard, 'batch.completed', secrets.koard));
      for (const step of steps) {
        if (deps.signal.aborted) break;
        await step();
        expected++;
        await wait(options.paceMs, deps.signal);
      }
      await outcomes(start + expected);
      const rows = log.summaries(start, log.size());
      return {
        deliveries: rows.length,
        verified: rows.filter((r) => r.signature === 'verified').length,
        forged: rows.filter((r) => r.signature === 'failed').length,
        rejectedByApp: rows.filter((r) => r.signature !== 'failed' && r.answered !== undefined && r.answered >= 400).length,
        forwarded: rows.filter((r) => r.status !== undefined).length,
      };
    }

    return { log, app, sandbox, paykore: paykoreSession, sessions: [paykoreSession, paystackSession, koardSession], play, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
