import type { ChildProcess } from 'node:child_process';

/** State of the public path to the receiver, as `listen` reports it. */
export type TunnelState = 'up' | 'reconnecting' | 'down';

export interface TunnelEvent {
  readonly state: TunnelState;
  /** The public URL when up (it may change after a reconnect). */
  readonly publicUrl?: string | undefined;
  readonly reason?: string | undefined;
}

/** A running tunnel: the URL providers deliver to, forwarding to the local receiver. */
export interface Tunnel {
  readonly kind: string;
  /** Undefined for `none`: deliveries reach the receiver only on loopback. */
  readonly publicUrl: string | undefined;
  /**
   * The URL stays the same from one session to the next (a server of one's own, a static domain),
   * so a registered endpoint and its secret can be kept and reused.
   */
  readonly stableUrl?: boolean;
  /** Facts worth reporting (e.g. the relay's pid). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Subscribe to state and URL changes; returns an unsubscribe function. */
  onChange(listener: (event: TunnelEvent) => void): () => void;
  close(): Promise<void>;
}

/** Opens a tunnel to a local port. Implementations: ngrok, a given public URL, none, loopback. */
export interface TunnelOpener {
  readonly kind: string;
  open(local: { readonly url: string; readonly port: number }, signal: AbortSignal): Promise<Tunnel>;
}

/** A tunnel whose state never changes (none, a user-run tunnel). */
export function staticTunnel(kind: string, publicUrl: string | undefined, stableUrl = false): Tunnel {
  return { kind, publicUrl, stableUrl, onChange: () => () => {}, close: async () => {} };
}

/** The listeners of a tunnel's state changes: `emit` tells them all, `onChange` is the Tunnel method. */
export function tunnelListeners() {
  const listeners = new Set<(event: TunnelEvent) => void>();
  return {
    emit: (event: TunnelEvent) => {
      for (const listener of listeners) listener(event);
    },
    onChange: (listener: (event: TunnelEvent) => void) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}

/**
 * A tunnel kept open by a child process that is already up (cloudflared, the loopback relay):
 * its exit, unless asked for, is reported as `reconnecting` with `exitReason`; `close` stops it
 * and waits for it.
 */
export function childProcessTunnel(child: ChildProcess, tunnel: { kind: string; publicUrl: string; stableUrl?: boolean }, exitReason: (code: number | null, signal: NodeJS.Signals | null) => string): Tunnel {
  child.removeAllListeners('exit');
  const { emit, onChange } = tunnelListeners();
  let closing = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      if (!closing) emit({ state: 'reconnecting', reason: exitReason(code, signal) });
      resolve();
    }),
  );
  return {
    ...tunnel,
    details: { pid: child.pid },
    onChange,
    close: async () => {
      closing = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill();
      await exited;
    },
  };
}
