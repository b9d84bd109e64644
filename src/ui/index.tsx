import { render } from 'ink';
import type { DeliveryFeed } from '../store/feed.js';
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
  waitUntilExit(): Promise<void>;
  unmount(): void;
}

/** Start the interactive view (Ink is loaded only here, only for terminals). */
export function startDeliveryView(options: StartViewOptions): RunningView {
  let status = options.status;
  const element = () => <DeliveryView feed={options.feed} status={status} actions={options.actions} color={options.color} />;
  const instance = render(element(), { stdin: options.stdin, stdout: options.stdout, exitOnCtrlC: false, patchConsole: false });
  return {
    setStatus(partial) {
      status = { ...status, ...partial };
      instance.rerender(element());
    },
    waitUntilExit: () => instance.waitUntilExit().then(() => undefined),
    unmount: () => instance.unmount(),
  };
}
