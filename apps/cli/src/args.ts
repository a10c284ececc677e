import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { usage } from './errors.ts';

/**
 * Every option of every command, in one table: an option means the same thing (and has the same
 * type) wherever it appears, so argv can be parsed once before the command is known.
 */
export const OPTIONS = {
  node: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  to: { type: 'string' },
  amount: { type: 'string' },
  token: { type: 'string' },
  memo: { type: 'string' },
  symbol: { type: 'string' },
  name: { type: 'string' },
  supply: { type: 'string' },
  decimals: { type: 'string' },
  moniker: { type: 'string' },
  data: { type: 'string' },
  'non-transferable': { type: 'boolean' },
  readonly: { type: 'boolean' },
  'no-wait': { type: 'boolean' },
  template: { type: 'string' },
  alias: { type: 'string' },
  'canary-share': { type: 'string' },
  follow: { type: 'boolean', short: 'f' },
  limit: { type: 'string' },
  secure: { type: 'boolean' },
  handler: { type: 'string' },
  input: { type: 'string' },
  from: { type: 'string' },
  report: { type: 'boolean' },
  snapshot: { type: 'string' },
} as const;

export type OptionName = keyof typeof OPTIONS;
export type OptionValues = Partial<Record<OptionName, string | boolean>>;

/** Options every command takes. */
export const GLOBAL_OPTIONS: readonly OptionName[] = ['node', 'key', 'json', 'help'];

/** Bounds argv so a runaway script gets a clear error. */
const ARGS_MAX = 64;

export interface ParsedArgs {
  positionals: string[];
  values: OptionValues;
}

/** Parses argv against the option table; unknown options and missing values are USAGE errors. */
export function parseArgv(argv: readonly string[]): ParsedArgs {
  if (argv.length > ARGS_MAX) throw usage(`too many arguments (at most ${ARGS_MAX})`);
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    return { values: values as OptionValues, positionals };
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      // Node's sentences are good but long; the first one says what is wrong.
      const first = error.message.split(/\.\s/)[0] ?? error.message;
      throw usage(`${first.replace(/\.$/, '')}; run "arc help"`);
    }
    throw error;
  }
}

/** Refuses options the command does not take (they would otherwise be silently ignored). */
export function checkAllowed(values: OptionValues, allowed: readonly OptionName[], command: string): void {
  for (const name of Object.keys(values) as OptionName[]) {
    if (!GLOBAL_OPTIONS.includes(name) && !allowed.includes(name)) {
      throw usage(`--${name} is not an option of "arc ${command}"; run "arc help ${command}"`);
    }
  }
}

/** Parses a command's inputs with its zod schema, naming the offending option in the error. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path[0];
  const where = typeof field === 'string' ? (field === 'positional' ? '' : `--${field}: `) : '';
  throw usage(`${where}${issue?.message ?? 'invalid input'}`);
}
