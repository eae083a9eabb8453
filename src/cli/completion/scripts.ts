import type { CommandSpec } from '../commands.js';

// Shell completion scripts, rendered from the command table (pure). Service
// names come from `apictl __names`, which prints nothing when no daemon runs.

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface Entry {
  names: string[];
  description: string;
  flags: string[];
  /** what its first argument is */
  argument: 'service' | 'file' | 'shell' | 'none';
}

function entriesOf(commands: CommandSpec[]): Entry[] {
  return commands
    .filter((command) => !command.hidden)
    .map((command) => {
      const first = command.args?.[0] ?? '';
      const argument = /name/.test(first) ? 'service' : /shell/.test(first) ? 'shell' : first ? 'file' : 'none';
      const flags = (command.options ?? []).flatMap((option) => option.flags.split(/[ ,]+/).filter((part) => part.startsWith('-')));
      return { names: [command.name, ...(command.aliases ?? [])], description: command.description, flags: [...flags, '--help'], argument };
    });
}

const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

function renderBash(entries: Entry[]): string {
  const cases = entries.map((entry) => {
    const words = entry.argument === 'service' ? 'all $(apictl __names 2>/dev/null)' : entry.argument === 'shell' ? 'bash zsh fish' : '';
    const argument = entry.argument === 'file' ? 'COMPREPLY=( $(compgen -f -- "$cur") )' : `COMPREPLY=( $(compgen -W "${words}" -- "$cur") )`;
    return `    ${entry.names.join('|')})\n      opts="${entry.flags.join(' ')}"\n      if [[ "$cur" == -* ]]; then COMPREPLY=( $(compgen -W "$opts" -- "$cur") ); else ${argument}; fi ;;`;
  });
  return `# apictl completion for bash: \`source <(apictl completion bash)\`, or save it in /etc/bash_completion.d/apictl
_apictl() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" opts
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${entries.flatMap((entry) => entry.names).join(' ')} help --help --version" -- "$cur") )
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases.join('\n')}
  esac
}
complete -o default -F _apictl apictl
`;
}

function renderZsh(entries: Entry[]): string {
  const commands = entries.flatMap((entry) => entry.names.map((name) => `    ${quote(`${name}:${entry.description.replaceAll(':', '\\:')}`)}`));
  const cases = entries.map((entry) => {
    const argument =
      entry.argument === 'service' ? 'compadd all $(apictl __names 2>/dev/null)' : entry.argument === 'shell' ? 'compadd bash zsh fish' : entry.argument === 'file' ? '_files' : ':';
    return `    ${entry.names.join('|')})\n      if [[ $PREFIX == -* ]]; then compadd -- ${entry.flags.join(' ')}; else ${argument}; fi ;;`;
  });
  return `#compdef apictl
# apictl completion for zsh: save it as _apictl in a folder of $fpath (or \`source <(apictl completion zsh)\`)
_apictl() {
  local -a commands
  commands=(
${commands.join('\n')}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case $words[2] in
${cases.join('\n')}
  esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _apictl "$@"; else compdef _apictl apictl; fi
`;
}

function renderFish(entries: Entry[]): string {
  const lines = ['# apictl completion for fish: save it as ~/.config/fish/completions/apictl.fish', 'complete -c apictl -f'];
  for (const entry of entries) {
    for (const name of entry.names) lines.push(`complete -c apictl -n __fish_use_subcommand -a ${name} -d ${quote(entry.description)}`);
    const seen = `'__fish_seen_subcommand_from ${entry.names.join(' ')}'`;
    for (const flag of entry.flags) lines.push(`complete -c apictl -n ${seen} ${flag.startsWith('--') ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`}`);
    if (entry.argument === 'service') lines.push(`complete -c apictl -n ${seen} -a '(apictl __names 2>/dev/null) all'`);
    if (entry.argument === 'shell') lines.push(`complete -c apictl -n ${seen} -a 'bash zsh fish'`);
    if (entry.argument === 'file') lines.push(`complete -c apictl -n ${seen} -F`);
  }
  return lines.join('\n') + '\n';
}

export function renderCompletion(shell: Shell, commands: CommandSpec[]): string {
  const entries = entriesOf(commands);
  return shell === 'bash' ? renderBash(entries) : shell === 'zsh' ? renderZsh(entries) : renderFish(entries);
}
