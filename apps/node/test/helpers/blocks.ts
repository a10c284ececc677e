import { type BlockCandidate, decodeHeader, decodeSeal, type GenesisConfig, keyPairFromSeed } from '@arc/core';
import { type Database, openDatabase } from '../../src/db/client.ts';
import { Ledger } from '../../src/ledger/ledger.ts';
import { createTestDatabase, type TestDatabase, type TestDriver } from '../../src/testing.ts';

/** A ledger that only imports (it is never started, so it never produces), on a test database of its own. */
export interface Follower {
  ledger: Ledger;
  db: Database;
  database: TestDatabase;
  stop(): Promise<void>;
}

/** Opens a follower of `genesis` with a node key of its own (`keySeed` fills the seed). */
export async function startFollower(driver: TestDriver, genesis: GenesisConfig, keySeed: number): Promise<Follower> {
  const database = await createTestDatabase(driver);
  const db = await openDatabase(database.target, () => undefined);
  const ledger = new Ledger(db, {
    genesis,
    nodeKey: keyPairFromSeed(new Uint8Array(32).fill(keySeed)),
    blockIntervalMs: 3_600_000,
    mempool: { maxTxs: 100, ttlMs: 60_000 },
    verifyThreads: 1,
    now: Date.now,
    log: () => undefined,
  });
  await ledger.open();
  return {
    ledger,
    db,
    database,
    stop: async () => {
      await ledger.stop();
      await db.close();
      await database.drop();
    },
  };
}

/** Block `height` of a node as it travels: its header, seal and transactions' bytes from the node's database. */
export async function blockOf(node: { db: Database }, height: number): Promise<BlockCandidate> {
  const [row] = await node.db.query<{ header: Uint8Array; seal: Uint8Array }>('SELECT header, seal FROM blocks WHERE height = $1', [
    height,
  ]);
  if (!row) throw new Error(`no block ${height}`);
  const txs = await node.db.query<{ bytes: Uint8Array }>('SELECT bytes FROM txs WHERE height = $1 ORDER BY idx', [height]);
  return {
    header: decodeHeader(new Uint8Array(row.header)),
    seal: decodeSeal(new Uint8Array(row.seal)),
    txs: txs.map((t) => new Uint8Array(t.bytes)),
  };
}
