import { UsageError } from '../errors.js';
import type { DeliveryLog } from './delivery-log.js';
import type { Delivery } from './types.js';

/**
 * A delivery by its id, any unique piece of one, or the provider's message id (when several
 * deliveries carry it, e.g. a retry or a duplicate, the newest; `note` says so); a clear error otherwise.
 */
export async function findDelivery(log: DeliveryLog, id: string, note?: (text: string) => void): Promise<Delivery> {
  const matches = log.resolveId(id);
  if (matches.length === 0) throw new UsageError(`no delivery "${id}" in ${log.file}`, { hint: 'run `webhook log` to see the recorded ids' });
  if (matches.length > 1) {
    const newest = (await log.load(matches.at(-1)!))!;
    if (newest.request.messageId === id) {
      note?.(`${matches.length} deliveries carry ${id}; using the newest, ${newest.request.id} (the others: ${matches.slice(0, -1).join(', ')})`);
      return newest;
    }
    throw new UsageError(`"${id}" matches ${matches.length} deliveries`, { hint: `give more characters, e.g. ${matches.slice(0, 2).join(' or ')}` });
  }
  return (await log.load(matches[0]!))!;
}
