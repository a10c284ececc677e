import { type ArcClient, ClientError, formatAmount, isValidDid, parseAmount } from '@arc/client';
import { TX_LIMITS } from '@arc/core';
import { z } from 'zod';
import { parseInput } from '../args.ts';
import { ABT_DECIMALS, type Command, field } from '../command.ts';
import { CliError } from '../errors.ts';
import { printTxResult } from '../output.ts';

const Input = z.object({
  to: field.did,
  amount: field.amountText,
  token: z.string().min(1).max(64).optional(),
  memo: z
    .string()
    .refine((s) => new TextEncoder().encode(s).length <= TX_LIMITS.memoBytes, `a memo is at most ${TX_LIMITS.memoBytes} bytes`)
    .optional(),
  'no-wait': z.boolean().default(false),
});

interface ResolvedToken {
  symbol: string;
  decimals: number;
  /** null for ABT, which moves as the transfer's amount rather than as a token. */
  address: string | null;
}

/** Finds a token by symbol or address, so amounts can be read with its decimals. */
async function resolveToken(client: ArcClient, token: string | undefined): Promise<ResolvedToken> {
  if (token === undefined || token.toUpperCase() === 'ABT') return { symbol: 'ABT', decimals: ABT_DECIMALS, address: null };
  const by = isValidDid(token) ? { address: token } : { symbol: token.toUpperCase() };
  try {
    const found = await client.getToken(by);
    return { symbol: found.symbol, decimals: found.decimals, address: found.native ? null : found.address };
  } catch (error) {
    if (error instanceof ClientError && error.code === 'NOT_FOUND') {
      throw new CliError('NOT_FOUND', `no token "${token}" on this chain; check the symbol or address`);
    }
    throw error;
  }
}

const transfer: Command = {
  name: 'transfer',
  args: '--to DID --amount N [--token SYMBOL_OR_ADDRESS] [--memo TEXT]',
  summary: 'send ABT (or a token) from your key to a DID and wait for the commit',
  details:
    "N is in whole units with a fraction up to the token's decimals (ABT: 18), e.g. 1.5. --no-wait returns once the node accepts it.",
  options: ['to', 'amount', 'token', 'memo', 'no-wait'],
  positionalsMax: 0,
  async run(ctx, _positionals, values) {
    const input = parseInput(Input, values);
    const wallet = await ctx.wallet();
    const client = ctx.client();
    const token = await resolveToken(client, input.token);
    const amount = parseAmount(input.amount, token.decimals);
    if (amount === 0n) throw new CliError('USAGE', '--amount must be above 0');
    const result = await client.transfer({
      wallet,
      to: input.to,
      ...(token.address === null ? { amount } : { tokens: [{ token: token.address, amount }] }),
      memo: input.memo ?? '',
      wait: !input['no-wait'],
    });
    printTxResult(ctx, result, [
      ['sent', `${formatAmount(amount, token.decimals)} ${token.symbol}`],
      ['to', input.to],
    ]);
  },
};

export const transferCommands: Command[] = [transfer];
