import type { Tunnel, TunnelOpener } from '../tunnel/types.js';
import type { ListenEvent } from '../listen-events.js';

/** The public path to the receiver: the tunnel, watched, reopened when it broke. */
export interface TunnelPart {
  /** Open the tunnel to the receiver (once, after the receiver is up). */
  open(local: { readonly url: string; readonly port: number }): Promise<Tunnel>;
  /** The tunnel open now (a recovery replaces it); throws before `open`. */
  current(): Tunnel;
  /** The public URL now; undefined before `open` and for `none`. */
  publicUrl(): string | undefined;
  /** Close the tunnel and open it again; then tell the `onReopened` listeners its (maybe new) URL. */
  recover(): Promise<void>;
  /** Called when the tunnel reports it is not up (the self-check looks at once). */
  onTrouble(listener: () => void): void;
  /** Called after each recovery with the public URL (registration moves the endpoint when it changed); may throw. */
  onReopened(listener: (publicUrl: string | undefined) => Promise<void>): void;
  /** Close the tunnel open now; idempotent. */
  stop(): Promise<void>;
}

/** The tunnel part: what `opener` opens, its state changes reported as `tunnel` events. */
export function tunnelPart(opener: TunnelOpener, signal: AbortSignal, onEvent: (event: ListenEvent) => void): TunnelPart {
  let tunnel: Tunnel | undefined;
  let local: { readonly url: string; readonly port: number } | undefined;
  const trouble: (() => void)[] = [];
  const reopened: ((publicUrl: string | undefined) => Promise<void>)[] = [];
  const openWatched = async () => {
    const opened = await opener.open(local!, signal);
    tunnel = opened;
    opened.onChange((event) => {
      onEvent({ type: 'tunnel', ...event });
      if (event.state !== 'up') for (const listener of trouble) listener();
    });
    return opened;
  };
  return {
    open(receiver) {
      local = receiver;
      return openWatched();
    },
    current() {
      if (!tunnel) throw new Error('the tunnel is not open yet');
      return tunnel;
    },
    publicUrl: () => tunnel?.publicUrl,
    async recover() {
      await tunnel?.close().catch(() => undefined);
      const opened = await openWatched();
      for (const listener of reopened) await listener(opened.publicUrl);
    },
    onTrouble: (listener) => void trouble.push(listener),
    onReopened: (listener) => void reopened.push(listener),
    stop: async () => tunnel?.close(),
  };
}
