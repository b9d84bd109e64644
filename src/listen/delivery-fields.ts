import type { HeaderRecord } from '../signing/types.js';
import { messageIdOf, messageIdSource, messageIdValue } from '../providers/message-id.js';
import { scanJson } from '../providers/payload-scan.js';
import type { ProviderProfile } from '../providers/types.js';

/** What the receiver reads from a delivery's body and headers besides the signature. */
export interface DeliveryFields {
  readonly event: string | undefined;
  readonly messageId: string | undefined;
}

const FORM = /^application\/x-www-form-urlencoded/i;

/**
 * The event type (for a `whole` body only) and the provider's message id of a received body.
 * When the profile says where its event is (`eventField`), the body is scanned for just those
 * fields; otherwise it is parsed whole. Either way the answer is the same.
 */
export function deliveryFields(profile: ProviderProfile, body: Buffer, headers: HeaderRecord, whole: boolean): DeliveryFields {
  return (profile.eventField !== undefined && !profile.eventField.includes('\uFFFD') && scannedFields(profile, profile.eventField, body, headers, whole)) || parsedFields(profile, body, headers, whole);
}

function scannedFields(profile: ProviderProfile, eventField: string, body: Buffer, headers: HeaderRecord, whole: boolean): DeliveryFields {
  const source = messageIdSource(profile, headers);
  const idPath = source !== undefined && 'path' in source ? source.path : undefined;
  const scanned = scanJson(body, idPath ? [[eventField], idPath] : [[eventField]]);
  if (!scanned.json) return { event: whole ? formEvent(profile, body.toString('utf8'), headers) : undefined, messageId: source !== undefined && 'id' in source ? source.id : undefined };
  const [event, id] = scanned.values;
  return {
    event: whole && event?.kind === 'string' ? event.value : undefined,
    messageId: source !== undefined && 'id' in source ? source.id : id === undefined || id.kind === 'other' ? undefined : messageIdValue(id.value),
  };
}

/** The body parsed whole (profiles whose event is more than one field, or odd bodies). */
function parsedFields(profile: ProviderProfile, body: Buffer, headers: HeaderRecord, whole: boolean): DeliveryFields {
  const text = body.toString('utf8');
  let payload: unknown;
  let json = true;
  try {
    payload = JSON.parse(text);
  } catch {
    json = false;
  }
  return { event: whole ? eventOf(profile, text, json, payload, headers) : undefined, messageId: messageIdOf(profile, body, headers, { payload }) };
}

function eventOf(profile: ProviderProfile, text: string, json: boolean, payload: unknown, headers: HeaderRecord): string | undefined {
  try {
    if (!json) throw new Error('not JSON');
    return profile.eventType(payload, headers);
  } catch {
    return formEvent(profile, text, headers);
  }
}

/** Form-encoded bodies (Twilio) are read as a flat object of their parameters. */
function formEvent(profile: ProviderProfile, text: string, headers: HeaderRecord): string | undefined {
  const type = headers['content-type'];
  return FORM.test(typeof type === 'string' ? type : '') ? profile.eventType(Object.fromEntries(new URLSearchParams(text)), headers) : undefined;
}
