import { open } from 'node:fs/promises';

const NEWLINE = 0x0a;

/**
 * Read every line of a file from `start` with its byte offset, through one reused buffer (grown
 * only for a line longer than it): bounded memory, and no allocation per chunk that would leave
 * the process's memory fragmented after indexing a large log. A line's bytes are valid until the
 * next line is asked for.
 */
export async function* linesWithOffsets(file: string, start = 0): AsyncGenerator<{ offset: number; bytes: Buffer; terminated: boolean }> {
  const handle = await open(file, 'r');
  try {
    let buffer = Buffer.allocUnsafe(1 << 20);
    /** Bytes in the buffer; buffer[0] is at `position` in the file. */
    let filled = 0;
    let position = start;
    for (;;) {
      if (filled === buffer.length) buffer = Buffer.concat([buffer], buffer.length * 2);
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      const data = buffer.subarray(0, filled);
      let lineStart = 0;
      for (let i = data.indexOf(NEWLINE); i !== -1; i = data.indexOf(NEWLINE, lineStart)) {
        yield { offset: position + lineStart, bytes: data.subarray(lineStart, i), terminated: true };
        lineStart = i + 1;
      }
      buffer.copy(buffer, 0, lineStart, filled);
      filled -= lineStart;
      position += lineStart;
    }
    if (filled > 0) yield { offset: position, bytes: buffer.subarray(0, filled), terminated: false };
  } finally {
    await handle.close();
  }
}
