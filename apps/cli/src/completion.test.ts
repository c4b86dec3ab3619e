import { Command } from 'commander';
import { completionScript } from './completion';

describe('completionScript', () => {
  const program = new Command('tacos').option('--server <a>');
  program.command('service').command('list').option('--page <n>');

  it('lists subcommands and flags per command path, with the global flags', () => {
    const script = completionScript(program, 'bash');
    expect(script).toContain('tacos_service|tacos_service_list) key="$key"_"$w" ;;');
    expect(script).toContain('tacos) words="service --server" ;;');
    expect(script).toContain('tacos_service_list) words="--page --server" ;;');
    expect(script.endsWith('complete -F _tacos tacos\n')).toBe(true);
  });

  it('wraps the bash function for zsh', () => {
    expect(completionScript(program, 'zsh').split('\n').slice(0, 2)).toEqual(['#compdef tacos', 'autoload -U +X bashcompinit && bashcompinit']);
  });
});
