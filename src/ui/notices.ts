/** One line for the view's notice area. */
export interface PostedNotice {
  readonly level: 'info' | 'warn';
  readonly text: string;
}

/**
 * Where a command posts what its plain output would have printed on stderr (warnings,
 * registration, tunnel and catch-up lines) while the interactive view is up. Keeps every notice,
 * so a view that subscribes late misses none.
 */
export class NoticeBoard {
  private readonly posted: PostedNotice[] = [];
  private readonly listeners = new Set<() => void>();

  post(level: PostedNotice['level'], text: string): void {
    this.posted.push({ level, text });
    for (const listener of this.listeners) listener();
  }

  /** Notices from `start` on (oldest first). */
  since(start: number): readonly PostedNotice[] {
    return this.posted.slice(start);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}
