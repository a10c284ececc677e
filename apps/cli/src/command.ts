import { isValidDid } from '@arc/client';
import { z } from 'zod';
import type { OptionName, OptionValues } from './args.ts';
import type { Context } from './context.ts';

/** One `arc` command: its words, help, options, and what it does. */
export interface Command {
  /** The words that name it, e.g. "keys new". */
  name: string;
  /** Arguments after the name, for help: "[DID]", "--to DID --amount N". */
  args: string;
  summary: string;
  /** Longer help: defaults, units, what it prints. */
  details?: string;
  options: readonly OptionName[];
  /** How many positional arguments it takes after its name. */
  positionalsMax: number;
  run(ctx: Context, positionals: string[], values: OptionValues): Promise<void>;
}

/** Field parsers shared by commands. */
export const field = {
  did: z.string().refine(isValidDid, 'not a valid did:abt: DID (check for a missing or wrong character)'),
  amountText: z.string({ error: 'is required' }).regex(/^\d+(\.\d+)?$/, 'an amount is digits with an optional fraction, like 12 or 1.5'),
  hash: z
    .string()
    .regex(/^(0x)?[0-9a-fA-F]{64}$/, 'a transaction hash is 64 hex characters')
    .transform((s) => s.replace(/^0x/, '').toLowerCase()),
};

/** The ABT amount formatted for people. */
export const ABT_DECIMALS = 18;
