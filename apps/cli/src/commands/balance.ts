import { formatAmount } from '@arc/client';
import { z } from 'zod';
import { parseInput } from '../args.ts';
import { ABT_DECIMALS, type Command, field } from '../command.ts';

const Input = z.object({ positional: z.tuple([field.did]).or(z.tuple([])) });

const balance: Command = {
  name: 'balance',
  args: '[DID]',
  summary: "show an account's ABT and token balances (default: your key's DID), checked against a Merkle proof",
  options: [],
  positionalsMax: 1,
  async run(ctx, positionals) {
    const { positional } = parseInput(Input, { positional: positionals });
    const did = positional[0] ?? (await ctx.wallet()).did;
    const account = await ctx.client().getAccount(did);
    const tokens = account.tokens.map((t) => ({ ...t, formatted: formatAmount(t.amount, t.decimals) }));
    ctx.result(
      {
        did,
        exists: account.exists,
        nonce: account.nonce,
        balance: account.balance,
        balanceFormatted: formatAmount(account.balance, ABT_DECIMALS),
        tokens,
        proof: { ...account.proof, verified: true },
      },
      [
        ['did', did],
        ['ABT', formatAmount(account.balance, ABT_DECIMALS)],
        ...tokens.map((t): [string, string] => [t.symbol, `${t.formatted}  (${t.address})`]),
        ['nonce', String(account.nonce)],
        ['proof', `verified against the state root of block ${account.proof.height}`],
      ],
    );
  },
};

export const balanceCommands: Command[] = [balance];
