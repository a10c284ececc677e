import { formatAmount, parseAmount, stake as stakeItx } from '@arc/client';
import { z } from 'zod';
import { parseInput } from '../args.ts';
import { ABT_DECIMALS, type Command, field } from '../command.ts';
import { CliError } from '../errors.ts';
import { printTxResult } from '../output.ts';

const Input = z.object({ amount: field.amountText, 'no-wait': z.boolean().default(false) });

const stake: Command = {
  name: 'stake',
  args: '--amount N',
  summary: 'bond ABT from your balance as stake (it backs the component names you publish) and wait for the commit',
  details:
    "Each component name you own needs the chain's publish stake bonded; publishing a new name is refused until your bond covers one more. N is in ABT, e.g. 1.5.",
  options: ['amount', 'no-wait'],
  positionalsMax: 0,
  async run(ctx, _positionals, values) {
    const input = parseInput(Input, values);
    const amount = parseAmount(input.amount, ABT_DECIMALS);
    if (amount === 0n) throw new CliError('USAGE', '--amount must be above 0');
    const result = await ctx.client().submit(await ctx.wallet(), stakeItx({ amount }), { wait: !input['no-wait'] });
    printTxResult(ctx, result, [['staked', `${formatAmount(amount, ABT_DECIMALS)} ABT`]]);
  },
};

export const stakeCommands: Command[] = [stake];
