import { signVerifyReport, type VerifyProgress, type VerifyReport, verifyChain, type Wallet } from '@arc/client';
import { z } from 'zod';
import { type OptionValues, parseInput } from '../args.ts';
import type { Command } from '../command.ts';
import type { Context } from '../context.ts';
import { CliError } from '../errors.ts';
import { readSnapshotFile } from './node-snapshot.ts';

const heightText = z
  .string()
  .regex(/^\d{1,15}$/, 'a height is a whole number')
  .transform(Number)
  .optional();
const Input = z.object({ from: heightText, to: heightText, report: z.boolean().default(false), snapshot: z.string().min(1).optional() });

/** Without a terminal, a progress line at most this often. */
const PROGRESS_LINE_EVERY_MS = 5_000;
const BAR_WIDTH = 24;

function rate(blocks: number, ms: number): string {
  return ms > 0 ? `${Math.round((blocks / ms) * 1000)} blocks/s` : '';
}

/** "[#######.....] 1,234 / 5,000 blocks  812 blocks/s  18,000 txs" */
function progressText(p: VerifyProgress): string {
  const span = p.to - p.from + 1;
  const done = Math.max(0, Math.min(span, p.height - p.from + 1));
  const filled = Math.round((done / span) * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
  const behind = p.height < p.from ? `  replaying to ${p.from - 1} first` : '';
  return `${bar} ${done.toLocaleString('en')} / ${span.toLocaleString('en')} blocks  ${rate(p.blocks, p.elapsedMs)}  ${p.txs.toLocaleString('en')} txs${behind}`;
}

function reporter(ctx: Context): (p: VerifyProgress) => void {
  const { status } = ctx.io;
  if (status && !ctx.globals.json) return (p) => status(progressText(p));
  let lastMs = 0;
  return (p) => {
    const nowMs = Date.now();
    if (nowMs - lastMs < PROGRESS_LINE_EVERY_MS || ctx.globals.json) return;
    lastMs = nowMs;
    ctx.io.err(progressText(p));
  };
}

function resultLines(r: VerifyReport): [string, string][] {
  const lines: [string, string][] = [
    ['chain', r.chainId],
    ['blocks', `${r.from}..${r.to}: ${r.blocks.toLocaleString('en')} verified, ${r.txs.toLocaleString('en')} transactions`],
    ['speed', `${r.blocksPerSec} blocks/s (${(r.ms / 1000).toFixed(1)} s)`],
  ];
  if (r.mismatch === null) return [...lines, ['state root', `${r.stateRoot} at ${r.to}: every block and state root matches`]];
  const tx =
    r.mismatch.txIndex === undefined ? '' : ` (transaction ${r.mismatch.txIndex}${r.mismatch.txCode ? `: ${r.mismatch.txCode}` : ''})`;
  return [...lines, ['mismatch', `block ${r.mismatch.height}: ${r.mismatch.code}${tx}: ${r.mismatch.message}`]];
}

/**
 * The key a report is signed with. A report puts the signer's DID on the explorer, so it takes a key named on the
 * command line rather than the default one; read before the replay, which can take minutes, so a bad key costs none.
 */
async function reportingWallet(ctx: Context, values: OptionValues): Promise<Wallet> {
  if (typeof values.key !== 'string') {
    throw new CliError('USAGE', '--report signs the report with your key: pass --key FILE (make one with "arc keys new")');
  }
  return ctx.wallet();
}

/** Sends the verified height and state root to the node, signed; prints the result with what the node recorded. */
async function sendReport(ctx: Context, wallet: Wallet, report: VerifyReport): Promise<void> {
  if (report.stateRoot === null) throw new Error('a report without a mismatch has a state root');
  const claim = { chainId: report.chainId, height: report.to, stateRoot: report.stateRoot };
  if (ctx.globals.json) {
    const recorded = await ctx.client().reportVerified(signVerifyReport(wallet, claim));
    ctx.result({ ...report, recorded }, []);
    return;
  }
  // The replay's result first: it stands even if the node then refuses the report.
  ctx.result(report, resultLines(report));
  const recorded = await ctx.client().reportVerified(signVerifyReport(wallet, claim));
  ctx.io.out(`The node recorded the report: verified to height ${recorded.height} by ${recorded.verifier}.`);
}

const verify: Command = {
  name: 'node verify',
  args: '[--from H1] [--to H2] [--snapshot FILE] [--report]',
  summary: "replay the node's chain from its genesis and check every block and state root",
  details: [
    'Fetches the genesis and every block from the node (--node), and replays them in this process through the',
    'same checks a node imports a block with: link to the parent, seal, bounds, every transaction applies, the',
    "transaction root and the state root. Nothing is taken on the node's word but the bytes it serves.",
    '--from: the first height reported (blocks before it are replayed too, to reach its state); default 1.',
    "--to: the last height checked; default the node's height when the command starts.",
    '--snapshot: replay from a snapshot file (arc node snapshot) instead of from genesis: the file is checked (its',
    "block's seal, its genesis, every entry, the state root they give) and the replay starts at the block after it.",
    'Prints a progress bar (a line every 5 s when stderr is not a terminal), blocks per second, and the first',
    'block that does not verify with its reason; exits 1 with CHAIN_MISMATCH then. --json prints the report.',
    '--report: once every block verifies, sends the node the height and state root reached, signed with the key of',
    '--key (required with --report); its explorer then shows "Verified to height N" and by whom. The node refuses',
    'a state root that is not its own (STATE_ROOT_MISMATCH).',
  ].join('\n'),
  options: ['from', 'to', 'report', 'snapshot'],
  positionalsMax: 0,
  async run(ctx, _positionals, values) {
    const input = parseInput(Input, { from: values.from, to: values.to, report: values.report, snapshot: values.snapshot });
    const { from, to } = input;
    if (input.report && input.snapshot) {
      // A report says the chain was replayed from its genesis; one from a snapshot took the snapshot's state on trust.
      throw new CliError('USAGE', '--report is for a replay from genesis; leave out --snapshot to report');
    }
    const wallet = input.report ? await reportingWallet(ctx, values) : null;
    const snapshot = input.snapshot ? await readSnapshotFile(input.snapshot, true) : null;
    const report = await verifyChain(ctx.client(), {
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
      ...(snapshot ? { snapshot: { head: snapshot.reader.head, entries: snapshot.entries } } : {}),
      onProgress: reporter(ctx),
    });
    ctx.io.status?.(null);
    if (wallet !== null && report.mismatch === null) {
      await sendReport(ctx, wallet, report);
      return;
    }
    ctx.result(report, resultLines(report));
    if (report.mismatch) {
      throw new CliError('CHAIN_MISMATCH', `block ${report.mismatch.height} does not verify (${report.mismatch.code})`);
    }
  },
};

export const nodeCommands: Command[] = [verify];
