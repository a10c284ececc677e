import { Wallet } from '@arc/client';
import { z } from 'zod';
import { parseInput } from '../args.ts';
import type { Command } from '../command.ts';
import { expandPath, writeKeyFile } from '../keyfile.ts';

const NewInput = z.object({ out: z.string().min(1).optional(), force: z.boolean().default(false) });

const keysNew: Command = {
  name: 'keys new',
  args: '[--out FILE] [--force]',
  summary: 'create a key and save it (default: --key, i.e. ~/.arc/key.json)',
  details: 'The file holds the secret key and is written readable by you only. An existing file is kept unless --force.',
  options: ['out', 'force'],
  positionalsMax: 0,
  async run(ctx, _positionals, values) {
    const input = parseInput(NewInput, values);
    const file = input.out === undefined ? ctx.globals.keyFile : expandPath(input.out, ctx.globals.home);
    const wallet = Wallet.generate();
    await writeKeyFile(file, wallet, input.force);
    ctx.result({ did: wallet.did, publicKey: wallet.publicKeyHex, file }, [
      ['did', wallet.did],
      ['public key', wallet.publicKeyHex],
      ['saved to', file],
    ]);
  },
};

const keysShow: Command = {
  name: 'keys show',
  args: '',
  summary: 'print the DID and public key of the --key file (never the secret)',
  options: [],
  positionalsMax: 0,
  async run(ctx) {
    const wallet = await ctx.wallet();
    ctx.result({ did: wallet.did, publicKey: wallet.publicKeyHex, file: ctx.globals.keyFile }, [
      ['did', wallet.did],
      ['public key', wallet.publicKeyHex],
      ['file', ctx.globals.keyFile],
    ]);
  },
};

export const keysCommands: Command[] = [keysNew, keysShow];
