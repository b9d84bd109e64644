import { connect } from 'node:net';
import { errorCode } from '../errors.js';

/** Why a TCP connection to a server could not be opened. */
export interface Unreachable {
  readonly kind: 'refused' | 'dns' | 'other';
  readonly message: string;
}

/**
 * Open (and close at once) a TCP connection to the URL's host and port: the only probe that
 * cannot upset a handler, since no HTTP request is sent (`check` before its cases, `trigger`
 * to tell a live `listen` session from a dead one). Undefined when it connected, or when it
 * could not tell within `timeoutMs` (a slow network is left to the requests that follow).
 */
export function probeConnection(url: URL, timeoutMs: number): Promise<Unreachable | undefined> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const where = `${url.protocol}//${url.host}`;
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: Unreachable | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.once('connect', () => done(undefined));
    socket.once('error', (error) => {
      const code = errorCode(error);
      if (code === 'ECONNREFUSED') done({ kind: 'refused', message: `nothing is listening on ${where} (connection refused)` });
      else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') done({ kind: 'dns', message: `cannot resolve host ${url.hostname}` });
      else done({ kind: 'other', message: `cannot connect to ${where} (${code ?? error.message})` });
    });
  });
}
