import { TX_LIMITS, utf8 } from '@arc/core';
import { z } from 'zod';
import { parseInput } from '../args.ts';
import type { Command } from '../command.ts';
import { printTxResult } from '../output.ts';

const bytesAtMost = (max: number) => (s: string) => utf8(s).length <= max;

const CreateInput = z.object({
  moniker: z
    .string({ error: 'is required' })
    .min(1, 'is required')
    .refine(bytesAtMost(TX_LIMITS.monikerBytes), `at most ${TX_LIMITS.monikerBytes} bytes`),
  data: z.string().refine(bytesAtMost(TX_LIMITS.assetDataBytes), `at most ${TX_LIMITS.assetDataBytes} bytes`).default(''),
  'non-transferable': z.boolean().default(false),
  readonly: z.boolean().default(false),
  'no-wait': z.boolean().default(false),
});

const assetCreate: Command = {
  name: 'asset create',
  args: '--moniker NAME [--data TEXT] [--non-transferable] [--readonly]',
  summary: 'create an asset owned by your key (a ticket, a certificate, a deed)',
  details: '--data is stored as UTF-8 text. --non-transferable keeps it with you; --readonly forbids updates.',
  options: ['moniker', 'data', 'non-transferable', 'readonly', 'no-wait'],
  positionalsMax: 0,
  async run(ctx, _positionals, values) {
    const input = parseInput(CreateInput, values);
    const wallet = await ctx.wallet();
    const result = await ctx.client().createAsset({
      wallet,
      moniker: input.moniker,
      data: input.data,
      transferable: !input['non-transferable'],
      readonly: input.readonly,
      wait: !input['no-wait'],
    });
    printTxResult(
      ctx,
      result,
      [
        ['asset', input.moniker],
        ['address', result.address],
      ],
      { address: result.address },
    );
  },
};

export const assetCommands: Command[] = [assetCreate];
