import type { OutcomeRecord, RequestRecord } from './store/types.js';
import type { TunnelEvent } from './tunnel/types.js';

/** What `listen` reports; renderers (plain lines, NDJSON, the Ink view) draw these. */
export type ListenEvent =
  | { readonly type: 'ready'; readonly tunnel: { readonly kind: string; readonly [key: string]: unknown }; readonly localUrl: string; readonly publicUrl: string | undefined; readonly endpointId: string | undefined; readonly endpointKept: boolean; readonly forwardTo: string; readonly provider: string; readonly secret: string | undefined; readonly secretShown: boolean }
  | { readonly type: 'delivery'; readonly request: RequestRecord; readonly outcome: OutcomeRecord }
  | { readonly type: 'registration'; readonly state: 'registered' | 'deleted' | 'failed' | 'skipped' | 'pruned' | 'updated' | 'adopted' | 'kept' | 'replaced'; readonly endpointId?: string | undefined; readonly url?: string | undefined; readonly replaced?: string | undefined; readonly reason?: string | undefined }
  | { readonly type: 'tunnel'; readonly state: TunnelEvent['state']; readonly publicUrl?: string | undefined; readonly reason?: string | undefined }
  | { readonly type: 'catch-up'; readonly delivery: string; readonly event: string; readonly state: string }
  | { readonly type: 'warning'; readonly message: string };
