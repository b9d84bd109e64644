import { timingSafeEqual } from 'node:crypto';

/** Constant-time equality of two byte strings; false (not a throw) when lengths differ. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}
