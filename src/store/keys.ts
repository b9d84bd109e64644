import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import envPaths from 'env-paths';
import { UsageError } from '../errors.js';
import type { KeyPairSpec } from '../signing/types.js';

/**
 * Where test key pairs live: $WEBHOOK_STORE/keys when set (relative to cwd), else "keys" in the
 * user's state dir (beside the default store). One folder for every store, so the public key an
 * app is configured with stays the same from one session to the next.
 */
export function keysDir(env: NodeJS.ProcessEnv, cwd: string): string {
  const store = env.WEBHOOK_STORE || undefined;
  return store ? path.join(path.resolve(cwd, store), 'keys') : path.join(envPaths('webhook', { suffix: '' }).data, 'keys');
}

export interface StoredKeyPair {
  /** PKCS#8 PEM: what the provider's scheme signs with. */
  readonly privateKeyPem: string;
  /** The public key in the provider's format (what the app is configured with). */
  readonly publicKey: string;
  readonly file: string;
  /** True when this call generated it. */
  readonly created: boolean;
}

/**
 * The test key pair of a provider: read from <dir>/<provider>.pem, or generated and written
 * there once (mode 0600, O_EXCL: two processes racing keep the first one's key).
 */
export function loadOrCreateKeyPair(dir: string, provider: string, spec: KeyPairSpec): StoredKeyPair {
  const file = path.join(dir, `${provider}.pem`);
  let created = false;
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw unreadable(file, error);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fresh = spec.generate();
    try {
      writeFileSync(file, fresh, { flag: 'wx', mode: 0o600 });
      pem = fresh;
      created = true;
    } catch (writeError) {
      if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw unreadable(file, writeError);
      pem = readFileSync(file, 'utf8');
    }
  }
  let publicKey: string;
  try {
    publicKey = spec.publicKey(pem);
  } catch (error) {
    throw new UsageError(`${file} is not a ${spec.type} private key`, { hint: `delete it and a new test key pair is made on next use (then reconfigure your app with \`webhook keys ${provider}\`)`, cause: error });
  }
  return { privateKeyPem: pem, publicKey, file, created };
}

function unreadable(file: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  return new UsageError(`cannot read or create the test key pair ${file} (${code})`, { hint: 'check the folder permissions, or set WEBHOOK_STORE to a writable folder' });
}
