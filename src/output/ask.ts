import type { Streams } from './terminal.js';

/** Ask a yes/no question on the terminal (prompt on stderr, answer from stdin): true for y or yes. */
export async function askYesNo(streams: Streams, question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: streams.stdin as NodeJS.ReadableStream, output: streams.stderr as NodeJS.WritableStream });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
