import { InvalidArgumentError } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';

/** Lazily run a command module: only the chosen command's code is loaded. */
export type Run = (load: () => Promise<number>) => Promise<void>;

/** The options a command definition parses its flags into, as @commander-js/extra-typings infers them from the definition. */
export type OptionsOf<Build extends (...args: never[]) => { opts(): unknown }> = ReturnType<ReturnType<Build>['opts']>;

export interface DefineInput {
  readonly context: () => CliContext;
  readonly run: Run;
}

/** Repeatable flag: collects values into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function intArg(name: string, min = 0) {
  return (raw: string): number => {
    if (!/^-?\d+$/.test(raw.trim()) || Number(raw) < min) {
      throw new InvalidArgumentError(`${name} must be a whole number${min > 0 ? ` ≥ ${min}` : ''}.`);
    }
    return Number(raw);
  };
}

export function positiveNumberArg(name: string) {
  return (raw: string): number => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || value <= 0) throw new InvalidArgumentError(`${name} must be a positive number.`);
    return value;
  };
}

/** Examples block for --help. */
export function examples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/** `--secret-file`, wherever `--secret` is: a secret read from a file (or `--secret -`, stdin) stays out of `ps`. */
export const SECRET_FILE_OPTION = ['--secret-file <path>', 'read the secret from a file instead (other users see --secret values in `ps`)'] as const;
