import { parseArgs } from 'node:util';
import { startDevChains } from './devchains.ts';

/**
 * The local chains process `npm start` runs beside the node: `node --import tsx apps/node/src/devchains/main.ts
 * [--no-anvil] [--no-regtest]`. When the chains are up it prints one line, `devchains ready <json>` (the chains,
 * the problems, and the node's environment for them), then runs until SIGINT/SIGTERM or until its parent is gone,
 * and stops every chain (no orphan anvil) before it exits.
 */

export const READY_PREFIX = 'devchains ready ';
/** How often the process checks its parent is alive (a parent killed with SIGKILL cannot tell it). */
const PARENT_CHECK_MS = 1000;

const { values } = parseArgs({
  options: { 'no-anvil': { type: 'boolean', default: false }, 'no-regtest': { type: 'boolean', default: false } },
  strict: true,
});

// The handlers go in before anything is printed: a parent that reads the ready line may signal at once, and a
// SIGTERM before them would kill the process with anvil still running (CI saw the exit code null).
let stopRequested: string | null = null;
let stop = (why: string) => {
  stopRequested ??= why;
};
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));

const chains = await startDevChains({ anvil: !values['no-anvil'], regtest: !values['no-regtest'] });

let stopping = false;
stop = (why: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${why}: stopping the local chains`);
  chains.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
if (stopRequested !== null) stop(stopRequested);
else
  console.log(
    `${READY_PREFIX}${JSON.stringify({ ethereum: chains.ethereum, bitcoin: chains.bitcoin, problems: chains.problems, nodeEnv: chains.nodeEnv })}`,
  );
const parent = process.ppid;
setInterval(() => {
  try {
    process.kill(parent, 0);
  } catch {
    stop('the process that started the local chains is gone');
  }
}, PARENT_CHECK_MS);
