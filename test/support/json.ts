/**
 * A JSON document the tests read by path (the CLI's NDJSON lines, an API's answer): its shape is
 * what the assertions check, so it is not typed ahead of them. The one `any` in the code base.
 */
// biome-ignore lint/suspicious/noExplicitAny: untyped JSON read by path in assertions (see above)
export type JsonRecord = Record<string, any>;
