/**
 * One error hierarchy for what users can cause. Only the CLI entry point turns these into
 * output and exit codes (see renderError in cli.ts); the core throws, never prints or exits.
 */

/** Exit codes shared by every command. */
export const ExitCode = {
  ok: 0,
  /** A delivery, verification or check failed. */
  failed: 1,
  /** Bad usage, config or input. */
  usage: 2,
  /** Interrupted by SIGINT/SIGTERM. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface WebhookErrorOptions {
  /** One line telling the user how to fix it: the valid values or the exact command to run. */
  hint?: string;
  cause?: unknown;
}

/** An error the user can act on. Rendered as `error: message` + `hint: ...`, no stack trace. */
export class WebhookError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(message: string, exitCode: ExitCode, options: WebhookErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = options.hint;
  }
}

/** Bad flag, config, fixture, secret or URL: exit 2. */
export class UsageError extends WebhookError {
  constructor(message: string, options: WebhookErrorOptions = {}) {
    super(message, ExitCode.usage, options);
  }
}

/** A delivery, verification or check failed: exit 1. */
export class FailureError extends WebhookError {
  constructor(message: string, options: WebhookErrorOptions = {}) {
    super(message, ExitCode.failed, options);
  }
}

/** Node's system error shape (ECONNREFUSED, ENOENT, ...). */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
