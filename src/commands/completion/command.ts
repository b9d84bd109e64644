import type { Command } from '@commander-js/extra-typings';
import { examples, type DefineInput } from '../options/flags.js';

export function defineCompletion(program: Command, { context, run }: DefineInput): void {
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText(
      'after',
      examples([
        'webhook completion bash > ~/.local/share/bash-completion/completions/webhook',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: zsh's own ${fpath[1]}, shown to the user as typed
        'webhook completion zsh > "${fpath[1]}/_webhook"',
        'webhook completion fish > ~/.config/fish/completions/webhook.fish',
      ]),
    )
    .action((shell) => run(async () => (await import('./run.js')).runCompletion(shell, program, context())));
}
