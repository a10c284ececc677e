import { type FSWatcher, watch } from 'node:fs';
import { resolve } from 'node:path';
import { formatAmount } from '@arc/client';
import { z } from 'zod';
import { parseInput } from '../args.ts';
import { type BlockletApi, blockletApi } from '../blocklet/api.ts';
import { deployProject } from '../blocklet/deploy.ts';
import { formatLogLine, LOG_POLL_MS, LogTail, sleep } from '../blocklet/follow.ts';
import { checkManifest, readManifestText } from '../blocklet/source.ts';
import { ABT_DECIMALS, type Command } from '../command.ts';
import type { Context } from '../context.ts';
import { describeError } from '../errors.ts';

/** Quiet time after the last file change before a redeploy, so one save of many files deploys once. */
const DEBOUNCE_MS = 300;
/** How often the loop looks for changes to deploy. */
const TICK_MS = 100;

/** A change under node_modules, .git or a dotfile is not a change of the blocklet. */
function ignored(file: string | null): boolean {
  if (file === null) return false;
  return file.split(/[\\/]/).some((part) => part === 'node_modules' || part.startsWith('.'));
}

/** The version a dev deploy gets: the manifest's, as a unique semver prerelease. */
export function devVersion(manifestVersion: string, nowMs: number): string {
  const base = manifestVersion.split(/[-+]/)[0] ?? manifestVersion;
  return `${base}-dev.${nowMs}`;
}

/** A dev chain's faucet pays the deploy fees; a key without ABT gets some once. */
async function ensureFees(ctx: Context): Promise<void> {
  const wallet = await ctx.wallet();
  const client = ctx.client();
  const [info, account] = await Promise.all([client.chainInfo(), client.getAccount(wallet.did)]);
  if (account.balance >= info.params.minFee * 10n) return;
  const claim = await client.claimFaucet(wallet.did);
  ctx.io.out(`claimed ${formatAmount(claim.amount, ABT_DECIMALS)} test ABT for deploy fees`);
}

/** Runs one deploy; a mistake in the project is printed and the watch goes on. */
async function deployOnce(ctx: Context, api: BlockletApi, dir: string): Promise<string | null> {
  try {
    const { text, file } = await readManifestText(dir);
    const manifest = checkManifest(text, `${dir}/${file}`);
    const deployed = await deployProject(
      ctx,
      api,
      dir,
      { alias: 'live', canaryShareBps: 0, version: devVersion(manifest.version, Date.now()) },
      (line) => ctx.io.out(line),
    );
    return deployed.version.name;
  } catch (error) {
    const { line, bug } = describeError(error, ctx.globals.nodeUrl);
    if (bug) throw error;
    ctx.io.err(line);
    ctx.io.out(`waiting for a change in ${dir}`);
    return null;
  }
}

const Input = z.object({ positional: z.tuple([z.string().min(1)]).or(z.tuple([])) });

const blockletDev: Command = {
  name: 'blocklet dev',
  args: '[DIR]',
  summary: 'redeploy DIR (default .) to the local dev node on every save and tail its logs',
  details: [
    'Runs against the local dev node (default http://127.0.0.1:8080, start it with "npm start"; --node for another),',
    'whose mock chain needs no real chain. Each change deploys version <manifest version>-dev.<unix ms>, a',
    'semver prerelease so versions stay unique, and moves live to it; new log lines print in between.',
    'A key without ABT claims test ABT from the faucet once. Ctrl-C stops.',
  ].join('\n'),
  options: [],
  positionalsMax: 1,
  async run(ctx, positionals) {
    const input = parseInput(Input, { positional: positionals });
    const dir = resolve(input.positional[0] ?? '.');
    const signal = ctx.io.signal;
    await readManifestText(dir);
    await ensureFees(ctx);
    const api = blockletApi(ctx);

    let changedAtMs: number | null = null;
    const watcher: FSWatcher = watch(dir, { recursive: true }, (_event, file) => {
      if (!ignored(file)) changedAtMs = Date.now();
    });
    try {
      let tail = null as LogTail | null;
      /** Deploys; on success finds where the log stands before saying ready, so no request's lines are missed. */
      const deploy = async () => {
        const name = await deployOnce(ctx, api, dir);
        if (name === null) return;
        if (tail?.name !== name) {
          tail = new LogTail(api, name);
          await tail.poll();
        }
        ctx.io.out(`ready: ${ctx.globals.nodeUrl}/b/${name}/  (watching ${dir}; Ctrl-C stops)`);
      };
      await deploy();
      let lastPollMs = 0;
      let lastLogError = '';
      while (!signal?.aborted) {
        await sleep(TICK_MS, signal);
        if (signal?.aborted) break;
        if (changedAtMs !== null && Date.now() - changedAtMs >= DEBOUNCE_MS) {
          changedAtMs = null;
          await deploy();
        }
        if (tail === null || Date.now() - lastPollMs < LOG_POLL_MS) continue;
        lastPollMs = Date.now();
        try {
          for (const line of await tail.poll()) ctx.io.out(formatLogLine(line));
          lastLogError = '';
        } catch (error) {
          const { line, bug } = describeError(error, ctx.globals.nodeUrl);
          if (bug) throw error;
          // The node may be restarting: say so once, not every second.
          if (line !== lastLogError) ctx.io.err(line);
          lastLogError = line;
        }
      }
    } finally {
      watcher.close();
    }
    ctx.io.out('stopped');
  },
};

export const blockletDevCommands: Command[] = [blockletDev];
