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

const chains = await startDevChains({ anvil: !values['no-anvil'], regtest: !values['no-regtest'] });
console.log(
  `${READY_PREFIX}${JSON.stringify({ ethereum: chains.ethereum, bitcoin: chains.bitcoin, problems: chains.problems, nodeEnv: chains.nodeEnv })}`,
);

let stopping = false;
const stop = (why: string) => {
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
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
const parent = process.ppid;
setInterval(() => {
  try {
    process.kill(parent, 0);
  } catch {
    stop('the process that started the local chains is gone');
  }
}, PARENT_CHECK_MS);
