import { formatAmount, parseAmount } from '@arc/client';
import { TOKEN_SYMBOL, TX_LIMITS } from '@arc/core';
import { z } from 'zod';
import { parseInput } from '../args.ts';
import { type Command, field } from '../command.ts';
import { printTxResult } from '../output.ts';

const DEFAULT_DECIMALS = 18;

const CreateInput = z.object({
  symbol: z.string({ error: 'is required' }).regex(TOKEN_SYMBOL, 'a symbol is 2 to 16 characters: A-Z first, then A-Z or 0-9'),
  name: z.string({ error: 'is required' }).trim().min(1, 'is required').max(TX_LIMITS.tokenNameBytes),
  supply: field.amountText,
  decimals: z
    .string()
    .regex(/^\d{1,2}$/, 'decimals is a whole number')
    .transform(Number)
    .refine((d) => d <= TX_LIMITS.tokenDecimalsMax, `decimals is at most ${TX_LIMITS.tokenDecimalsMax}`)
    .default(DEFAULT_DECIMALS),
  'no-wait': z.boolean().default(false),
});

const tokenCreate: Command = {
  name: 'token create',
  args: '--symbol XYZ --name NAME --supply N [--decimals D]',
  summary: 'create an application token; the whole supply goes to your key',
  details: `N is in whole tokens (a fraction up to D digits is allowed); D defaults to ${DEFAULT_DECIMALS}, like ABT.`,
  options: ['symbol', 'name', 'supply', 'decimals', 'no-wait'],
  positionalsMax: 0,
  async run(ctx, _positionals, values) {
    const input = parseInput(CreateInput, values);
    const totalSupply = parseAmount(input.supply, input.decimals);
    const wallet = await ctx.wallet();
    const result = await ctx.client().createToken({
      wallet,
      symbol: input.symbol,
      name: input.name,
      decimals: input.decimals,
      totalSupply,
      wait: !input['no-wait'],
    });
    printTxResult(
      ctx,
      result,
      [
        ['token', `${input.symbol} (${input.name})`],
        ['address', result.address],
        ['supply', `${formatAmount(totalSupply, input.decimals)} ${input.symbol}, ${input.decimals} decimals`],
      ],
      { address: result.address, symbol: input.symbol, decimals: input.decimals, totalSupply },
    );
  },
};

export const tokenCommands: Command[] = [tokenCreate];
