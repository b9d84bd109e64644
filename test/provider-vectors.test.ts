import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

/**
 * Known-answer vectors published by the providers themselves: a secret, the signed material and the
 * signature they computed, copied from the provider's documentation or from the test suite of the
 * provider's own SDK (in any language). Each one runs through the built `webhook verify` and must be
 * valid; the same request with one byte changed must not be. Nothing here is computed by us: a
 * vector that does not verify means the profile is wrong, not the vector.
 */
interface Vector {
  /** Where the vector is published (the exact page or file). */
  readonly source: string;
  readonly provider: string;
  readonly secret: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** For schemes that sign the URL. */
  readonly url?: string;
  /** For timestamped schemes: the vector's own time, in unix seconds. */
  readonly now?: number;
  /** The same request with one byte of signed material changed. */
  readonly tamper: (body: string) => string;
}

const swapFirst = (from: string, to: string) => (body: string) => {
  expect(body, `the body should contain ${from}`).toContain(from);
  return body.replace(from, to);
};

const COINBASE_PAYLOAD =
  '{"id":1,"scheduled_for":"2017-01-31T20:50:02Z","attempt_number":1,"event":{"id":"24934862-d980-46cb-9402-43c81b0cdba6","type":"charge:created","api_version":"2018-03-22","created_at":"2017-01-31T20:49:02Z","data":{"code":"66BEOV2A","name":"The Sovereign Individual","description":"Mastering the Transition to the Information Age","hosted_url":"https://commerce.coinbase.com/charges/66BEOV2A","created_at":"2017-01-31T20:49:02Z","expires_at":"2017-01-31T21:04:02Z","timeline":[{"time":"2017-01-31T20:49:02Z","status":"NEW"}],"metadata":{},"pricing_type":"no_price","payments":[],"addresses":{"bitcoin":"0000000000000000000000000000000000","ethereum":"0x0000000000000000000000000000000000000000","litecoin":"3000000000000000000000000000000000","bitcoincash":"bitcoincash:000000000000000000000000000000000000000000"}}}}';

const MONNIFY_SAMPLE_REQUEST =
  '{"eventData":{"product":{"reference":"111222333","type":"OFFLINE_PAYMENT_AGENT"},"transactionReference":"MNFY|76|20211117154810|000001","paymentReference":"0.01462001097368737","paidOn":"17/11/2021 3:48:10 PM","paymentDescription":"Mockaroo Jesse","metaData":{},"destinationAccountInformation":{},"paymentSourceInformation":{},"amountPaid":78000,"totalPayable":78000,"offlineProductInformation":{"code":"41470","type":"DYNAMIC"},"cardDetails":{},"paymentMethod":"CASH","currency":"NGN","settlementAmount":77600,"paymentStatus":"PAID","customer":{"name":"Mockaroo Jesse","email":"111222333@ZZAMZ4WT4Y3E.monnify"}},"eventType":"SUCCESSFUL_TRANSACTION"}';

// Squad's documented sample payload, as Newtonsoft.Json serialises the C# sample's object.
const SQUAD_SAMPLE_PAYLOAD =
  '{"transaction_reference":"REFE52ARZHTS/1668421222619_1","virtual_account_number":"2129125316","principal_amount":"222.00","settled_amount":"221.78","fee_charged":"0.22","transaction_date":"2022-11-14T10:20:22.619Z","customer_identifier":"SBN1EBZEQ8","transaction_indicator":"C","remarks":"Transfer FROM sandbox sandbox | [SBN1EBZEQ8] TO sandbox sandbox","currency":"NGN","channel":"virtual-account","meta":{"freeze_transaction_ref":null,"reason_for_frozen_transaction":null},"encrypted_body":"ViASuHLhO+SP3KtmcdAOis+3Obg54d5SgCFPFMcguYfkkYs/i44jeT5Dbx52TcOvHRp9HlnCoFwbATkEihzv2C8UyPoC38sRb90S5Z9Fq7vRwjDQz/hYi/nKbWA0btPr3A+UXhX1Nu5ek+TL0ENUC8W1ZX/FrowX3HQaYiwe3tU/Kfr2XvAGwT7IAx5CQBhpzL34faHP4jbwSVmSgVYmW5rd2ClWQ7WWJjDMakrqYJva8qd0vhkqSpyz2KywOV9t9zSHRx3VpbvlDsBdkNGr+4Axh/7Gspu3xo9mMOIdv73OzjN4VA/qQP+fQMCjU1pbS8oh81HjwkHjzC5SBhzR8IU8bsmvFUyzJMfDoJuUB+fs09SLW7pdfODwK5vB8LtdKPnAuTPlv5dHVAPeMG/ubtl/HOqCZs4axjuO557srw0GpKk86bwaVKt4IQ17nY/QCJFC273HWU1CawP7d3nQasRZf/TU7ra+fOjQBHQ7Gtz2Pnfp3gLljBKenMT4Cabks1X2/6ZQpd/yGFkloYdS7ZW3kEvrorjcyma4WNDmJfhcdR9XGsom6Y/M/n/gMMa0z2KPbHDRoEBeRYbQHcnu5LnGWzBA4Y4RMSTDesD876PDB1bOnMzNPrWYam6ZVRHz"}';

const VECTORS: Record<string, Vector> = {
  // Mux's official Node SDK, test "resource webhooks › verifySignature › should pass for valid signature":
  // https://github.com/muxinc/mux-node-sdk/blob/master/tests/api-resources/webhooks.test.ts
  mux: {
    source: 'https://github.com/muxinc/mux-node-sdk/blob/master/tests/api-resources/webhooks.test.ts',
    provider: 'mux',
    secret: 'SuperSecret123',
    body: '{"test":"body"}',
    headers: { 'mux-signature': 't=1565125718,v1=854ece4c22acef7c66b57d4e504153bc512595e8e9c772ece2a68150548c19a7' },
    now: 1565125718,
    tamper: swapFirst('body', 'bodx'),
  },
  // The same file's "unwrap_times" case: a second body under the same secret and timestamp.
  'mux (nested body)': {
    source: 'https://github.com/muxinc/mux-node-sdk/blob/master/tests/api-resources/webhooks.test.ts',
    provider: 'mux',
    secret: 'SuperSecret123',
    body: '{"test":{"nested":{"nanos":718234, "seconds":1691711005}}}',
    headers: { 'mux-signature': 't=1565125718,v1=bd315c24bce1c2b8ad325696f26530c8ef7d7d830afb7c1381903705d04607be' },
    now: 1565125718,
    tamper: swapFirst('718234', '718235'),
  },
  // Coinbase's official Node library for Commerce, test "Webhook › should successfully verify signature and return event":
  // https://github.com/coinbase/coinbase-commerce-node/blob/master/test/testWebhook.spec.js
  coinbase: {
    source: 'https://github.com/coinbase/coinbase-commerce-node/blob/master/test/testWebhook.spec.js',
    provider: 'coinbase',
    secret: '30291a20-0bd1-4267-9b0f-e6e7b123c0bf',
    body: COINBASE_PAYLOAD,
    headers: { 'x-cc-webhook-signature': '8be7742c7d372f08a6a3224edadf18a22b65fa9e28f3f2de97376cdaa092590d' },
    tamper: swapFirst('66BEOV2A', '66BEOV2B'),
  },
  // HubSpot's official Python client, test_get_signature__v3 (method POST, timestamp 1693657560000 ms):
  // https://github.com/HubSpot/hubspot-api-python/blob/master/tests/spec/utils/test_signature.py
  hubspot: {
    source: 'https://github.com/HubSpot/hubspot-api-python/blob/master/tests/spec/utils/test_signature.py',
    provider: 'hubspot',
    secret: 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy',
    body: "{'example_field':'example_value'}",
    url: 'https://www.example.com/webhook_uri',
    headers: { 'x-hubspot-signature-v3': 'K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y=', 'x-hubspot-request-timestamp': '1693657560000' },
    now: 1693657560,
    tamper: swapFirst('example_value', 'example_valuf'),
  },
  // HubSpot's official Ruby client, TEST_DATA[:v3_hash] (timestamp 1_700_000_300_000 ms, method POST):
  // https://github.com/HubSpot/hubspot-api-ruby/blob/master/spec/helpers/signature_spec.rb
  'hubspot (ruby client)': {
    source: 'https://github.com/HubSpot/hubspot-api-ruby/blob/master/spec/helpers/signature_spec.rb',
    provider: 'hubspot',
    secret: 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy',
    body: "{'example_field':'example_value'}",
    url: 'https://www.example.com/webhook_uri',
    headers: { 'x-hubspot-signature-v3': 'RnbPH7+UMKVkbV32P8bz450N4M56aPmcru1+D3kSDtw=', 'x-hubspot-request-timestamp': '1700000300000' },
    now: 1700000300,
    tamper: swapFirst('example_field', 'example_fielc'),
  },
  // Shopify's official Node library (@shopify/shopify-api), "shopify.webhooks.validate › returns true for valid
  // request": raw body '{"foo": "bar"}' under the test app's apiSecretKey 'test_secret_key' (lib/__tests__/test-config.ts)
  // gives X-Shopify-Hmac-Sha256 'B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g='.
  // https://github.com/Shopify/shopify-api-js/blob/main/packages/shopify-api/lib/webhooks/__tests__/validate.test.ts
  // https://github.com/Shopify/shopify-api-js/blob/main/packages/shopify-api/lib/__tests__/test-config.ts
  shopify: {
    source: 'https://github.com/Shopify/shopify-api-js/blob/main/packages/shopify-api/lib/webhooks/__tests__/validate.test.ts',
    provider: 'shopify',
    secret: 'test_secret_key',
    body: '{"foo": "bar"}',
    headers: { 'x-shopify-hmac-sha256': 'B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=' },
    tamper: swapFirst('bar', 'baz'),
  },
  // Monnify's webhook documentation, "Transaction Hash Computation": Sample Client Key, Sample Request (the
  // compact string its Node.js sample hashes) and Hashed Value.
  // https://developers.monnify.com/docs/webhooks (also https://teamapt.atlassian.net/wiki/spaces/MON/pages/212008918/Computing+Request+Validation+Hash)
  monnify: {
    source: 'https://developers.monnify.com/docs/webhooks',
    provider: 'monnify',
    secret: '91MUDL9N6U3BQRXBQ2PJ9M0PW4J22M1Y',
    body: MONNIFY_SAMPLE_REQUEST,
    headers: {
      'monnify-signature': 'f04fb635e04d71648bd3cc7999003da6861483342c856d05ddfa9b2dafacb873b0de1d0f8f67405d0010b4348b721c49fa171d317972618debba6b638aedcd3c',
    },
    tamper: swapFirst('78000', '78001'),
  },
  // Squad's "Signature validation" page, Sample Function (C#): the VirtualAccount_VM object serialised by
  // JsonConvert.SerializeObject (property order as declared, compact, nulls kept) under the sandbox secret key
  // must give the documented digest (compared lower-cased there; Squad sends it upper-cased).
  // https://docs.squadco.com/webhook-direct-url/signature-validation
  squad: {
    source: 'https://docs.squadco.com/webhook-direct-url/signature-validation',
    provider: 'squad',
    secret: 'sandbox_sk_9ac9418e847972dd45f5fe845b5716ef305589808eda',
    body: SQUAD_SAMPLE_PAYLOAD,
    headers: {
      'x-squad-encrypted-body': '18b9eb6ca68f92ca9f058da7bce6545efb12660cf75f960e552cf6098bb5ee8e71f20331dcfe0dfaea07439cc6629f901850291a39f374a1bd076c4eff1026c8',
    },
    tamper: swapFirst('221.78', '221.79'),
  },
  // Mailgun's official PHP client, WebhookTest::testVerifyWebhookGood (signing key, timestamp, token, signature);
  // Mailgun puts these three fields in the body's "signature" object:
  // https://github.com/mailgun/mailgun-php/blob/master/tests/Api/WebhookTest.php
  mailgun: {
    source: 'https://github.com/mailgun/mailgun-php/blob/master/tests/Api/WebhookTest.php',
    provider: 'mailgun',
    secret: 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0',
    body: '{"signature":{"timestamp":"1403645220","token":"5egbgr1vjgqxtrnp65xfznchgdccwh5d6i09vijqi3whgowmn6","signature":"9cfc5c41582e51246e73c88d34db3af0a3a2692a76fbab81492842f000256d33"},"event-data":{"event":"delivered"}}',
    headers: {},
    tamper: swapFirst('"timestamp":"1403645220"', '"timestamp":"1403645221"'),
  },
};

function verifyArgs(v: Vector): string[] {
  const args = ['verify', '--provider', v.provider, '--secret', v.secret, '--json'];
  for (const [name, value] of Object.entries(v.headers)) args.push('-H', `${name}: ${value}`);
  if (v.url) args.push('--url', v.url);
  if (v.now !== undefined) args.push('--now', String(v.now));
  return args;
}

describe.each(Object.keys(VECTORS))('%s: the provider’s published vector through `webhook verify`', (name) => {
  const v = VECTORS[name]!;

  it(`verifies (exit 0) — ${v.source}`, async () => {
    const ok = await runCli([...verifyArgs(v), '--body', v.body]);
    expect(ok.stderr).toBe('');
    expect(JSON.parse(ok.stdout)).toMatchObject({ provider: v.provider, valid: true });
    expect(ok.code).toBe(0);
  });

  it('one changed byte of the signed material fails (exit 1)', async () => {
    const tampered = v.tamper(v.body);
    expect(Buffer.byteLength(tampered)).toBe(Buffer.byteLength(v.body));
    const bad = await runCli([...verifyArgs(v), '--body', tampered]);
    expect(JSON.parse(bad.stdout)).toMatchObject({ valid: false, reason: 'no matching signature' });
    expect(bad.code).toBe(1);
  });
});
