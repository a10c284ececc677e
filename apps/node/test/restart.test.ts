import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyPairFromSeed, toHex } from '@arc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import { openDatabase } from '../src/db/client.ts';
import { genesisBlock } from '../src/ledger/genesis-block.ts';
import { createTestDatabase, startTestNode, type TestDatabase, type TestNode, testDrivers, testGenesis } from '../src/testing.ts';
import { ChildNode } from './helpers/child-node.ts';
import { type NodeClient, nodeClient } from './helpers/client.ts';
import { ABT, randomSigner, transfer, Wallet } from './helpers/wallet.ts';

/** Long enough that no empty block is made while a test compares heads. */
const QUIET_INTERVAL_MS = 60_000;

describe.each(testDrivers())('a node on %s after a restart', (driver) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A database that outlives the nodes started on it within one test. */
  async function database(dataDir?: string): Promise<TestDatabase> {
    const db = await createTestDatabase(driver, dataDir);
    cleanups.push(() => db.drop());
    return db;
  }

  async function start(db: TestDatabase, log: string[] = []): Promise<{ node: TestNode; client: NodeClient }> {
    const node = await startTestNode({ driver, database: db.target, blockIntervalMs: QUIET_INTERVAL_MS, log: (line) => log.push(line) });
    cleanups.push(() => node.stop());
    return { node, client: nodeClient(node.url) };
  }

  it('resumes at the same height, head and state root after a stop, and keeps producing', async () => {
    const db = await database();
    const first = await start(db);
    const alice = new Wallet(first.client, first.node.chainId, devKey('alice'));
    const bob = new Wallet(first.client, first.node.chainId, devKey('bob'));
    const grantee = randomSigner();
    for (let i = 0; i < 3; i++) await alice.commit(transfer(randomSigner().did, BigInt(i + 1) * ABT));
    await alice.commit({ type: 'createToken', symbol: 'KEEP', name: 'Kept Token', decimals: 2, totalSupply: 10_000n });
    await bob.commit({ type: 'delegate', grantee: grantee.did, allowance: ABT, expiresAtMs: Date.now() + 3_600_000 });
    await bob.commit({ type: 'delegate', grantee: randomSigner().did, allowance: ABT, expiresAtMs: Date.now() + 3_600_000 });
    const aliceBefore = await first.client.account.get.query({ did: alice.did });
    await first.node.stop();
    const head = first.node.services.ledger.head;

    const log: string[] = [];
    const second = await start(db, log);

    expect(log).toContain(
      `resumed chain ${first.node.chainId} at height ${head.height} (state root ${toHex(head.stateRoot).slice(0, 16)}…)`,
    );
    expect(await second.client.chain.info.query()).toMatchObject({
      height: head.height,
      headHash: toHex(head.hash),
      stateRoot: toHex(head.stateRoot),
    });
    expect(await second.client.account.get.query({ did: alice.did })).toEqual(aliceBefore);
    expect(await second.client.token.get.query({ symbol: 'KEEP' })).toMatchObject({ owner: alice.did, totalSupply: '10000' });

    const again = new Wallet(second.client, second.node.chainId, devKey('bob'));
    const { height } = await again.commit(transfer(grantee.did, 1n));
    expect(height).toBe(head.height + 1);
    expect((await second.client.block.byHeight.query({ height })).prevHash).toBe(toHex(head.hash));
    expect((await second.client.account.get.query({ did: bob.did })).nonce).toBe(3);
  });

  it('refuses to run a second node on the same database while the first runs, naming the other node', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'arc-restart-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const db = await database(driver === 'pglite' ? join(dataDir, 'pglite') : undefined);
    const first = await start(db);

    const url = db.target.kind === 'postgres' ? db.target.url : undefined;
    const second = await ChildNode.spawn({ DATA_DIR: dataDir, ...(url ? { DATABASE_URL: url } : {}) });
    cleanups.push(() => second.kill());
    const outcome = await Promise.race([
      second.exited,
      second.ready().then(
        () => 'listening' as const,
        () => 'exited' as const,
      ),
    ]);

    expect(outcome, second.output).toEqual({ code: 1, signal: null });
    expect(second.output).toMatch(/the node could not start: another node .*is using/);
    expect((await fetch(`${first.node.url}/health`)).status).toBe(200);
  });

  it('starts on a database left by a first start that died between the chain metadata and the genesis block', async () => {
    const db = await database();
    const genesis = await testGenesis();
    const { block } = genesisBlock(genesis, keyPairFromSeed(new Uint8Array(32)));
    const half = await openDatabase(db.target);
    await half.query(`INSERT INTO chain_meta (key, value) VALUES ('chain', $1::jsonb)`, [
      JSON.stringify({ chainId: genesis.chainId, genesisHash: toHex(block.hash) }),
    ]);
    await half.close();

    const { client } = await start(db);

    expect(await client.block.byHeight.query({ height: 0 })).toMatchObject({ hash: toHex(block.hash), txCount: 0 });
    expect((await client.account.get.query({ did: devKey('alice').did })).balance).toBe(
      genesis.allocations.find((a) => a.did === devKey('alice').did)?.amount.toString(),
    );
  });
});
