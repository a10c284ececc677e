import { formatAmount } from '@arc/client';
import { z } from 'zod';
import { parseInput } from '../args.ts';
import { ABT_DECIMALS, type Command, field } from '../command.ts';
import { CliError } from '../errors.ts';

const Input = z.object({ positional: z.tuple([field.hash], { error: 'give the transaction hash: arc tx get HASH' }) });

const txGet: Command = {
  name: 'tx get',
  args: 'HASH',
  summary: 'show a transaction: status, block, sender, fee and what it did',
  options: [],
  positionalsMax: 1,
  async run(ctx, positionals) {
    const [hash] = parseInput(Input, { positional: positionals }).positional;
    const status = await ctx.client().getTx(hash);
    if (status.status === 'unknown') throw new CliError('NOT_FOUND', `this node has never seen transaction ${hash}`);
    const tx = status.tx;
    const lines: [string, string][] = [
      ['tx', status.hash],
      ['status', status.status + (status.height === null ? '' : ` in block ${status.height}`)],
    ];
    if (status.error) lines.push(['error', `${status.error.code}: ${status.error.message}`]);
    if (tx) {
      lines.push(
        ['type', tx.type],
        ['from', tx.from],
        ['nonce', String(tx.nonce)],
        ['fee', `${formatAmount(tx.fee, ABT_DECIMALS)} ABT${tx.feePayer ? ` paid by ${tx.feePayer}` : ''}`],
        ['time', new Date(tx.timeMs).toISOString()],
      );
      for (const [key, value] of Object.entries(tx.itx)) {
        if (key === 'type') continue;
        // A transfer's amount is ABT in its smallest unit; people read it in ABT.
        const abt = tx.type === 'transfer' && key === 'amount' && typeof value === 'string' && /^\d+$/.test(value);
        lines.push([
          key,
          abt ? `${formatAmount(BigInt(value), ABT_DECIMALS)} ABT` : typeof value === 'string' ? value : JSON.stringify(value),
        ]);
      }
    }
    ctx.result(status, lines);
  },
};

export const txCommands: Command[] = [txGet];
