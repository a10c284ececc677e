import { z } from 'zod';
import { checkAllowed, type OptionValues, parseArgv } from './args.ts';
import type { Command } from './command.ts';
import { assetCommands } from './commands/asset.ts';
import { balanceCommands } from './commands/balance.ts';
import { blockletCommands } from './commands/blocklet.ts';
import { faucetCommands } from './commands/faucet.ts';
import { keysCommands } from './commands/keys.ts';
import { nodeCommands } from './commands/node.ts';
import { snapshotCommands } from './commands/node-snapshot.ts';
import { publishCommands } from './commands/publish.ts';
import { stakeCommands } from './commands/stake.ts';
import { tokenCommands } from './commands/token.ts';
import { transferCommands } from './commands/transfer.ts';
import { txCommands } from './commands/tx.ts';
import { Context, type Globals, type Io } from './context.ts';
import { parseEnv } from './env.ts';
import { describeError, usage } from './errors.ts';
import { commandHelp, overview } from './help.ts';
import { expandPath } from './keyfile.ts';

/** Every command, in the order help lists them. */
export const COMMANDS: readonly Command[] = [
  ...keysCommands,
  ...balanceCommands,
  ...transferCommands,
  ...faucetCommands,
  ...stakeCommands,
  ...tokenCommands,
  ...assetCommands,
  ...txCommands,
  ...blockletCommands,
  ...publishCommands,
  ...nodeCommands,
  ...snapshotCommands,
];

const NodeUrl = z
  .string()
  .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), 'the node URL must be http:// or https://');

/** The command named by the leading positionals, and the positionals left for it. */
function findCommand(positionals: string[]): { command: Command; rest: string[] } | null {
  for (const command of COMMANDS) {
    const words = command.name.split(' ');
    if (words.every((word, i) => positionals[i] === word)) return { command, rest: positionals.slice(words.length) };
  }
  return null;
}

function unknownCommand(positionals: string[]): Error {
  // The longest group the words name ("blocklet env" before "blocklet"), and the words that may follow it.
  for (let depth = positionals.length; depth >= 1; depth -= 1) {
    const prefix = positionals.slice(0, depth).join(' ');
    const group = COMMANDS.filter((c) => c.name.startsWith(`${prefix} `));
    if (group.length === 0) continue;
    const subs = [...new Set(group.map((c) => c.name.split(' ')[depth]))].join(', ');
    return usage(`"arc ${prefix}" needs one of: ${subs}`);
  }
  return usage(`unknown command "${positionals.join(' ')}"; run "arc help"`);
}

function globalsOf(values: OptionValues, io: Io): Globals {
  const env = parseEnv(io.env);
  const node = typeof values.node === 'string' ? values.node : env.nodeUrl;
  const parsed = NodeUrl.safeParse(node);
  if (!parsed.success) throw usage(`--node: ${parsed.error.issues[0]?.message ?? 'invalid'} (got "${node}")`);
  const key = typeof values.key === 'string' ? values.key : env.keyFile;
  return { nodeUrl: parsed.data.replace(/\/+$/, ''), keyFile: expandPath(key, env.home), json: values.json === true, home: env.home };
}

async function dispatch(argv: readonly string[], io: Io, nodeUrl: { value: string }): Promise<void> {
  const { positionals, values } = parseArgv(argv);
  if (positionals.length === 0 || positionals[0] === 'help') {
    const topic = positionals.slice(1);
    const found = topic.length > 0 ? findCommand(topic) : null;
    if (topic.length > 0 && found === null) throw unknownCommand(topic);
    io.out(found ? commandHelp(found.command) : overview(COMMANDS));
    return;
  }
  const found = findCommand(positionals);
  if (found === null) throw unknownCommand(positionals);
  const { command, rest } = found;
  if (values.help === true) {
    io.out(commandHelp(command));
    return;
  }
  checkAllowed(values, command.options, command.name);
  if (rest.length > command.positionalsMax) {
    throw usage(`unexpected argument "${rest[command.positionalsMax]}"; usage: arc ${command.name} ${command.args}`.trimEnd());
  }
  const globals = globalsOf(values, io);
  nodeUrl.value = globals.nodeUrl;
  await command.run(new Context(io, globals), rest, values);
}

/** Runs `arc` with these arguments; returns the exit status (0 ok, 1 error). */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const nodeUrl = { value: '' };
  try {
    await dispatch(argv, io, nodeUrl);
    return 0;
  } catch (error) {
    const { line, bug } = describeError(error, nodeUrl.value);
    io.err(line);
    // A bug is ours to fix, so its stack is worth showing; a user's mistake only needs the sentence.
    if (bug && error instanceof Error && error.stack) io.err(error.stack);
    return 1;
  }
}
