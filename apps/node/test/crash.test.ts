import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex } from '@arc/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEV_ACCOUNT_NAMES, devKey } from '../src/config/dev-keys.ts';
import { openDatabase } from '../src/db/client.ts';
import { installNodeCrypto } from '../src/ledger/node-crypto.ts';
import { createTestDatabase, type TestDriver, testDrivers, testGenesis } from '../src/testing.ts';
import { ChildNode, type ChildNodeEnv } from './helpers/child-node.ts';
import { nodeClient } from './helpers/client.ts';
import { checkCommittedState } from './helpers/expected-state.ts';
import { TransferLoad } from './helpers/load.ts';
import { between, seededRandom, sleep, testSeed } from './helpers/random.ts';
import { replayFromGenesis } from './helpers/replay.ts';
import { reachableTrieNodes } from './helpers/trie.ts';
import { randomSigner } from './helpers/wallet.ts';

/**
 * Kill cycles per run: PGlite is the crash-sensitive store; PostgreSQL gets a shorter run. The seed varies per run
 * (CRASH_SEED replays one); `CRASH_CYCLES=N` makes a longer soak on demand, outside the suite's time budget.
 */
const cycles = z.coerce
  .number()
  .int()
  .min(1)
  .max(1000)
  .optional()
  .parse(process.env.CRASH_CYCLES || undefined);
const KILL_CYCLES: Record<TestDriver, number> = { pglite: cycles ?? 5, postgres: cycles ?? 2 };
const KILL_AFTER_MS = { min: 200, max: 1500 };
/** Now and then the restarted node is killed again while it opens the database and recovers. */
const STARTUP_KILL_CHANCE = 0.25;
const STARTUP_KILL_AFTER_MS = { min: 300, max: 2500 };
const CRASH_TEST_TIMEOUT_MS = 480_000;
/** Commits the load must see reported in each cycle before its kill, so every kill has work at risk. */
const COMMITS_PER_CYCLE_MIN = 10;
/** A node that reports no commits for this long under load is broken, not slow. */
const COMMITS_WAIT_MAX_MS = 60_000;

async function commitsReported(load: TransferLoad, atLeast: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (load.stats.reportedCommitted < atLeast) {
    if (Date.now() > deadline) {
      throw new Error(`the node reported ${load.stats.reportedCommitted} commits, not ${atLeast}, within ${timeoutMs} ms under load`);
    }
    await sleep(20);
  }
}

describe.each(testDrivers())('the node as a process on %s, killed with SIGKILL while under load', (driver) => {
  it(
    'keeps every transaction it reported committed, applies none by half, and replays from genesis to the same state roots',
    async () => {
      installNodeCrypto(); // the same ed25519/SHA3 as the node, only faster than core's default for signing the load
      const seed = testSeed('CRASH_SEED');
      const random = seededRandom(seed);
      const genesis = await testGenesis();
      const dataDir = await mkdtemp(join(tmpdir(), 'arc-crash-'));
      // Created from nothing on either driver: the first start below runs every migration, as an operator's does.
      const db = await createTestDatabase(driver, driver === 'pglite' ? join(dataDir, 'pglite') : undefined, { empty: true });
      const env: ChildNodeEnv = { DATA_DIR: dataDir, BLOCK_INTERVAL_MS: '1000' };
      if (db.target.kind === 'postgres') env.DATABASE_URL = db.target.url;
      const senders = DEV_ACCOUNT_NAMES.map((name) => devKey(name));
      const recipients = [...senders.map((s) => s.did), ...Array.from({ length: 4 }, () => randomSigner().did)];
      const load = new TransferLoad(genesis.chainId, senders, recipients, random);
      let startupKills = 0;
      const restart = async () => {
        if (random() < STARTUP_KILL_CHANCE) {
          const starting = await ChildNode.spawn(env);
          await sleep(between(random, STARTUP_KILL_AFTER_MS.min, STARTUP_KILL_AFTER_MS.max));
          await starting.kill('SIGKILL');
          startupKills++;
        }
        return (await ChildNode.spawn(env)).ready();
      };
      // The first start creates the PGlite folder from nothing, as an operator's first start does.
      let node = await (await ChildNode.spawn(env, { freshDatabase: true })).ready();
      let failed = false;
      /** What the nodes killed so far printed. */
      let earlierOutput = '';
      try {
        const checkedByHash = new Set<string>();
        const checkAfterRestart = async () => {
          const atRisk = [...load.reported.keys()].filter((hash) => !checkedByHash.has(hash));
          const summary = await checkCommittedState(nodeClient(node.url), genesis, load.reported, atRisk);
          for (const hash of atRisk) checkedByHash.add(hash);
          return summary;
        };

        load.attach(node.url);
        for (let cycle = 1; cycle <= KILL_CYCLES[driver]; cycle++) {
          // Each cycle first sees some commits reported (however fast this machine is), then the kill lands at a
          // random moment while the load goes on.
          await commitsReported(load, load.stats.reportedCommitted + COMMITS_PER_CYCLE_MIN, COMMITS_WAIT_MAX_MS);
          await sleep(between(random, KILL_AFTER_MS.min, KILL_AFTER_MS.max));
          await node.kill('SIGKILL');
          earlierOutput += node.output;
          load.detach();
          node = await restart();
          await checkAfterRestart();
          load.attach(node.url);
        }
        await sleep(KILL_AFTER_MS.min);
        await load.stop();
        expect(load.unexpected, 'answers a correct node never gives this load').toEqual([]);
        expect(load.stats.reportedCommitted).toBeGreaterThanOrEqual(COMMITS_PER_CYCLE_MIN * KILL_CYCLES[driver]);
        const final = await checkAfterRestart();
        const { stateRoot } = await nodeClient(node.url).chain.info.query();

        await node.kill('SIGTERM');
        expect((await node.exited).code, `a SIGTERM'd node exits 0:\n${node.output}`).toBe(0);
        const stored = await openDatabase(db.target);
        const live = new Set<string>();
        const replay = await replayFromGenesis(stored, genesis)
          .then(async (replayed) => {
            // The trie tables were written in each block's transaction: the head's root reaches every node it needs.
            await reachableTrieNodes(stored, fromHex(stateRoot), live);
            return replayed;
          })
          .finally(() => stored.close());
        expect(live.size).toBeGreaterThan(0);
        expect(earlierOutput + node.output, 'no restart had to rebuild the trie tables').not.toMatch(
          /trie tables lack|stored the state trie/,
        );

        expect(replay.height).toBeGreaterThanOrEqual(final.height);
        expect(replay.txs).toBe(final.txs);
        expect(replay.stateRoot).toBe(stateRoot);
        console.log(
          `crash test on ${driver}: ${KILL_CYCLES[driver]} kills under load and ${startupKills} during startup, ${replay.height} blocks, ${replay.txs} txs replayed;`,
          `load ${JSON.stringify(load.stats)} (CRASH_SEED=${seed})`,
        );
      } catch (error) {
        failed = true;
        if (error instanceof Error) error.message = `[CRASH_SEED=${seed}; data kept in ${dataDir}] ${error.message}`;
        throw error;
      } finally {
        await load.stop();
        await node.kill();
        if (!failed) {
          await db.drop();
          await rm(dataDir, { recursive: true, force: true });
        }
      }
    },
    CRASH_TEST_TIMEOUT_MS,
  );
});
