import type { Clock } from '../clock.js';
import { messageIdOf } from '../providers/message-id.js';
import type { ProviderProfile } from '../providers/types.js';
import { newDeliveryId, type DeliveryLog } from '../store/delivery-log.js';
import type { Delivery, OutcomeRecord, RequestRecord } from '../store/types.js';
import { sendOnce, type SendResult } from './send.js';
import { signRequest } from './sign.js';
import { endToEndHeaders } from './headers.js';


export interface ResendInput {
  readonly log: DeliveryLog;
  readonly original: Delivery;
  readonly url: URL;
  readonly profile: ProviderProfile;
  /** Sign again (fresh id/timestamp) with this secret; otherwise the recorded headers go as they were. */
  readonly resignWith?: string | undefined;
  /** Different body bytes (an edited copy); requires resignWith for a valid signature. */
  readonly body?: Uint8Array | undefined;
  readonly clock: Clock;
}

/**
 * Send a recorded delivery again, by default the same bytes and headers, and record it in the
 * log as a new delivery linked to the original (source "resend", replayOf).
 */
export async function resendDelivery(input: ResendInput): Promise<{ request: RequestRecord; outcome: OutcomeRecord; result: SendResult; messageId?: string }> {
  const { original, clock, profile } = input;
  const body = input.body ?? Buffer.from(original.request.bodyBase64, 'base64');
  const headers = endToEndHeaders(original.request.headers);
  if (input.resignWith !== undefined) {
    for (const name of profile.scheme.headers) delete headers[name];
    const signed = signRequest(profile, { body, secret: input.resignWith, event: original.request.event, url: input.url }, clock);
    Object.assign(headers, signed.headers);
  }
  // The provider's id as sent: the original's when the bytes and headers are the same.
  const messageId = messageIdOf(profile, body, headers);
  const result = await sendOnce({ url: input.url, headers, body, timeoutMs: profile.timeoutMs }, clock);
  const id = newDeliveryId(clock);
  const { messageId: _originalMessageId, ...copied } = original.request;
  const request: RequestRecord = {
    ...copied,
    id,
    ...(messageId !== undefined ? { messageId } : {}),
    receivedAt: clock.now(),
    headers,
    bodyBase64: Buffer.from(body).toString('base64'),
    bodySize: body.length,
    ...(input.resignWith !== undefined ? { signature: { state: 'verified' as const } } : {}),
    source: 'resend',
    replayOf: original.request.id,
  };
  const outcome: OutcomeRecord = {
    kind: 'outcome',
    id,
    at: clock.now(),
    target: input.url.toString(),
    ...(result.status !== undefined ? { status: result.status, headers: result.headers, bodyExcerptBase64: result.body.toString('base64') } : {}),
    durationMs: Math.round(result.durationMs),
    ...(result.error ? { error: result.error } : {}),
    answered: result.status ?? (result.error?.kind === 'timeout' ? 504 : 502),
  };
  await input.log.appendRequest(request);
  await input.log.appendOutcome(outcome);
  return { request, outcome, result, ...(messageId ? { messageId } : {}) };
}
