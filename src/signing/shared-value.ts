import { bytesEqual } from './compare.js';
import { OK, fail, headerValue, type SignatureScheme } from './types.js';

/**
 * No signature: a header carries the shared secret itself (Flutterwave's `verif-hash`). It
 * proves the sender knows the secret, not that the body is unchanged.
 */
export function sharedValueScheme(spec: { readonly header: string }): SignatureScheme {
  const header = spec.header.toLowerCase();
  return {
    description: `the shared secret itself in ${header} (the body is not signed)`,
    signatureHeader: header,
    headers: [header],
    usesTimestamp: false,
    usesId: false,
    checkSecret(secret) {
      return secret.trim() === '' ? 'the secret hash is empty' : undefined;
    },
    sign({ secret }) {
      return { [header]: secret };
    },
    verify({ secret, headers }) {
      const given = headerValue(headers, header);
      if (given === undefined || given === '') return fail('missing header', `no ${header} header`);
      return bytesEqual(Buffer.from(given, 'utf8'), Buffer.from(secret, 'utf8')) ? OK : fail('no matching signature', `${header} is not the secret hash`);
    },
  };
}
