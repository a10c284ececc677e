import type { Command } from './command.ts';
import { DEFAULT_NODE_URL } from './env.ts';

const GLOBAL_HELP = [
  ['--node URL', `the node to talk to (env ARC_NODE_URL, default ${DEFAULT_NODE_URL})`],
  ['--key FILE', 'your key file (env ARC_KEY_FILE, default ~/.arc/key.json)'],
  ['--json', 'print machine-readable JSON (amounts as integer strings in the smallest unit)'],
  ['-h, --help', 'help for a command'],
] as const;

/** The overview printed by `arc help`. */
export function overview(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'arc: keys, balances, transfers, tokens, assets and blocklets on an Arc chain',
    '',
    'Usage: arc <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  this overview; "arc help <command>" for one command`,
    '',
    'Options for every command:',
    ...GLOBAL_HELP.map(([flag, text]) => `  ${flag.padEnd(12)}  ${text}`),
    '',
    'Errors print as "error CODE: sentence" on stderr and exit with status 1.',
  ].join('\n');
}

/** The help of one command. */
export function commandHelp(command: Command): string {
  return [
    `Usage: arc ${command.name}${command.args ? ` ${command.args}` : ''} [--node URL] [--key FILE] [--json]`,
    '',
    `${command.summary[0]?.toUpperCase() ?? ''}${command.summary.slice(1)}.`,
    ...(command.details ? ['', command.details] : []),
  ].join('\n');
}
