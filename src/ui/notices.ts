import { KEPT_NOTICES } from './state.js';

/** One line for the view's notice area. */
export interface PostedNotice {
  readonly level: 'info' | 'warn';
  readonly text: string;
}

/**
 * Where a command posts what its plain output would have printed on stderr (warnings,
 * registration, tunnel and catch-up lines) while the interactive view is up. Keeps the newest
 * notices the view keeps (a long session posts many), so a view that subscribes late misses none
 * of those.
 */
export class NoticeBoard {
  private readonly posted: PostedNotice[] = [];
  private readonly listeners = new Set<() => void>();
  /** Notices posted so far, the dropped ones included: positions for `since` count from the first. */
  total = 0;

  post(level: PostedNotice['level'], text: string): void {
    this.posted.push({ level, text });
    this.total += 1;
    if (this.posted.length > KEPT_NOTICES) this.posted.shift();
    for (const listener of this.listeners) listener();
  }

  /** The kept notices from position `start` on (oldest first). */
  since(start: number): readonly PostedNotice[] {
    return this.posted.slice(Math.max(0, start - (this.total - this.posted.length)));
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}
