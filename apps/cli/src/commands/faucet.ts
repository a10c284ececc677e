import { formatAmount } from '@arc/client';
import { z } from 'zod';
import { parseInput } from '../args.ts';
import { ABT_DECIMALS, type Command, field } from '../command.ts';

const Input = z.object({ positional: z.tuple([field.did]).or(z.tuple([])), 'no-wait': z.boolean().default(false) });

const faucet: Command = {
  name: 'faucet',
  args: '[DID]',
  summary: "claim test ABT from a dev chain's faucet (default: for your key's DID)",
  options: ['no-wait'],
  positionalsMax: 1,
  async run(ctx, positionals, values) {
    const input = parseInput(Input, { ...values, positional: positionals });
    const did = input.positional[0] ?? (await ctx.wallet()).did;
    const claim = await ctx.client().claimFaucet(did, { wait: !input['no-wait'] });
    ctx.result({ did, ...claim }, [
      ['claimed', `${formatAmount(claim.amount, ABT_DECIMALS)} ABT`],
      ['to', did],
      ['tx', claim.hash],
      ['status', claim.height === null ? 'pending' : `committed in block ${claim.height}`],
    ]);
  },
};

export const faucetCommands: Command[] = [faucet];
