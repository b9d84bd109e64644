import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

/** tmux gives the CLI a real pseudo-terminal; .ci/run installs it where it is missing. */
export const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();

let sessions = 0;

/**
 * A terminal of its own (one tmux server per call: none is reused while another shuts down),
 * running `command`, then `EXITED <code>` on the screen when it ends.
 */
export async function terminal(command: string, size: { columns: number; rows: number } = { columns: 160, rows: 30 }) {
  const name = `webhook-tty-${process.pid}-${++sessions}`;
  const tmux = (...args: string[]) => promisify(execFile)('tmux', ['-L', name, ...args]);
  await tmux('new-session', '-d', '-s', name, '-x', String(size.columns), '-y', String(size.rows), `${command}; echo EXITED $?; sleep 30`);
  return {
    /** Poll the screen until it shows what the next step needs (up to 25 s: a loaded machine is slow). */
    async waitForScreen(predicate: (text: string) => boolean): Promise<string> {
      let text = '';
      for (const deadline = Date.now() + 25_000; Date.now() < deadline; ) {
        text = (await tmux('capture-pane', '-p', '-J', '-t', name)).stdout;
        if (predicate(text)) return text;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`screen never matched:\n${text}`);
    },
    keys: (...keys: string[]) => tmux('send-keys', '-t', name, ...keys),
    close: () => tmux('kill-server').then(() => undefined, () => undefined),
  };
}
