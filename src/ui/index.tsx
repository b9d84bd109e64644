import { render } from 'ink';
import type { DeliveryFeed } from '../store/feed.js';
import { NoticeBoard, type PostedNotice } from './notices.js';
import { DeliveryView, type ViewActions, type ViewStatus } from './view.js';

export type { ViewActions, ViewStatus } from './view.js';

export interface StartViewOptions {
  readonly feed: DeliveryFeed;
  readonly status: ViewStatus;
  readonly actions: ViewActions;
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly color: boolean;
}

export interface RunningView {
  setStatus(partial: Partial<ViewStatus>): void;
  /** A line for the notice area: what plain output would print on stderr (warnings, registration, catch-up). */
  notice(level: PostedNotice['level'], text: string): void;
  waitUntilExit(): Promise<void>;
  unmount(): void;
}

/** Start the interactive view (Ink is loaded only here, only for terminals). */
export function startDeliveryView(options: StartViewOptions): RunningView {
  let status = options.status;
  const notices = new NoticeBoard();
  const element = () => <DeliveryView feed={options.feed} status={status} actions={options.actions} color={options.color} notices={notices} />;
  const instance = render(element(), { stdin: options.stdin, stdout: options.stdout, exitOnCtrlC: false, patchConsole: false });
  return {
    setStatus(partial) {
      status = { ...status, ...partial };
      instance.rerender(element());
    },
    notice: (level, text) => notices.post(level, text),
    waitUntilExit: () => instance.waitUntilExit().then(() => undefined),
    unmount: () => instance.unmount(),
  };
}
