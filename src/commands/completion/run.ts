import type { CliContext } from '../../context.js';
import { ExitCode, UsageError } from '../../errors.js';

/** What completion needs from a commander program: names, flags and subcommands. */
export interface CommandShape {
  readonly name: string;
  readonly description: string;
  readonly flags: readonly string[];
  readonly subcommands: readonly CommandShape[];
}

interface CommanderLike {
  name(): string;
  description(): string;
  readonly options: readonly { long?: string | undefined; short?: string | undefined }[];
  readonly commands: readonly CommanderLike[];
}

/** The command tree as data, read from the program itself so completions never drift from --help. */
export function commandShape(command: CommanderLike): CommandShape {
  return {
    name: command.name(),
    description: command.description(),
    flags: [...command.options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined)), '--help'],
    subcommands: command.commands.map(commandShape),
  };
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export function bashScript(root: CommandShape): string {
  const cases = root.subcommands
    .map((sub) => {
      const words = [...sub.subcommands.map((s) => s.name), ...sub.flags].join(' ');
      return `    ${sub.name}) words=${quote(words)} ;;`;
    })
    .join('\n');
  return `# bash completion for ${root.name}
_${root.name}_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd="" i words
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) cmd="\${COMP_WORDS[i]}"; break ;; esac
  done
  case "$cmd" in
    "") words=${quote([...root.subcommands.map((s) => s.name), ...root.flags].join(' '))} ;;
${cases}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _${root.name}_complete ${root.name}
`;
}

export function zshScript(root: CommandShape): string {
  const describe = (items: readonly CommandShape[]) => items.map((s) => quote(`${s.name}:${s.description.replace(/:/g, '\\:')}`)).join(' ');
  const cases = root.subcommands
    .map((sub) => `    ${sub.name}) _describe -t commands 'subcommand' subs_${sub.name.replace(/-/g, '_')} 2>/dev/null; compadd -- ${sub.flags.join(' ')} ;;`)
    .join('\n');
  const subLists = root.subcommands.map((sub) => `  local -a subs_${sub.name.replace(/-/g, '_')}=(${describe(sub.subcommands)})`).join('\n');
  return `#compdef ${root.name}
_${root.name}() {
  local -a commands=(${describe(root.subcommands)})
${subLists}
  if (( CURRENT == 2 )); then
    _describe -t commands '${root.name} command' commands
    compadd -- ${root.flags.join(' ')}
    return
  fi
  case "\${words[2]}" in
${cases}
  esac
  _files
}
compdef _${root.name} ${root.name}
`;
}

export function fishScript(root: CommandShape): string {
  const lines = [`# fish completion for ${root.name}`, `complete -c ${root.name} -f`];
  const top = root.subcommands.map((s) => s.name).join(' ');
  for (const sub of root.subcommands) {
    lines.push(`complete -c ${root.name} -n "not __fish_seen_subcommand_from ${top}" -a ${sub.name} -d ${quote(sub.description)}`);
    for (const nested of sub.subcommands) {
      lines.push(`complete -c ${root.name} -n "__fish_seen_subcommand_from ${sub.name}" -a ${nested.name} -d ${quote(nested.description)}`);
    }
    for (const flag of sub.flags.filter((f) => f.startsWith('--'))) {
      lines.push(`complete -c ${root.name} -n "__fish_seen_subcommand_from ${sub.name}" -l ${flag.slice(2)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const SCRIPTS = { bash: bashScript, zsh: zshScript, fish: fishScript } as const;

export async function runCompletion(shell: string, program: CommanderLike, ctx: CliContext): Promise<number> {
  const script = SCRIPTS[shell as keyof typeof SCRIPTS];
  if (!script) throw new UsageError(`unknown shell "${shell}"`, { hint: 'use one of: bash, zsh, fish' });
  ctx.streams.stdout.write(script(commandShape(program)));
  return ExitCode.ok;
}
