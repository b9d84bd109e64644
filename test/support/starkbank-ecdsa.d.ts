/** The few parts of starkbank-ecdsa (the ECDSA library @sendgrid/eventwebhook is built on) the tests use. */
declare module 'starkbank-ecdsa' {
  export class PublicKey {
    toPem(): string;
  }
  export class PrivateKey {
    constructor(curve?: unknown);
    publicKey(): PublicKey;
  }
  export class Signature {
    toBase64(): string;
  }
  export const Ecdsa: { sign(message: string, privateKey: PrivateKey): Signature };
}
declare module 'starkbank-ecdsa/ellipticcurve/curve.js' {
  export const prime256v1: unknown;
}
