import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { BlockInvalid, SNAPSHOT_LINE_MAX_CHARS, toHex } from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import { openDatabase } from '../src/db/client.ts';
import { importSnapshot, sweepStaleFolders } from '../src/ledger/snapshots.ts';
import { createTestDatabase, startTestNode, type TestNode, testDrivers, testGenesis } from '../src/testing.ts';
import { blockOf } from './helpers/blocks.ts';
import { appError, nodeClient } from './helpers/client.ts';
import { ABT, balanceOf, fundedWallet, randomSigner, transfer, Wallet } from './helpers/wallet.ts';

/**
 * A node writes its head's state as a snapshot (GET /snapshot); a fresh node on another database starts from it at
 * that height, at the same state root, and follows the first node's next blocks from there. A snapshot that does not
 * hold together starts nothing.
 */

const genesis = await testGenesis();

describe.each(testDrivers())('state snapshots (%s)', (driver) => {
  const nodes: TestNode[] = [];
  let a: TestNode;
  let folder: string;
  beforeAll(async () => {
    a = await startTestNode({ driver, genesis, blockIntervalMs: 200 });
    nodes.push(a);
    folder = await mkdtemp(join(tmpdir(), 'arc-snapshot-test-'));
  });
  afterAll(async () => {
    for (const node of nodes) await node.stop();
  });

  it('a fresh node starts from another node’s snapshot at its height and state root, and follows its next blocks', async () => {
    const client = nodeClient(a.url);
    const alice = new Wallet(client, a.chainId, devKey('alice'));
    const bob = await fundedWallet(alice, 5n * ABT);
    await bob.commit(transfer(randomSigner().did, ABT));
    await alice.commit({ type: 'createToken', symbol: 'SNAP', name: 'Snapshot token', decimals: 2, totalSupply: 1_000n });

    const response = await fetch(`${a.url}/snapshot`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/gzip');
    const height = Number(response.headers.get('x-arc-snapshot-height'));
    expect(height).toBeGreaterThan(0);
    const file = join(folder, 'a.snapshot.gz');
    await writeFile(file, Buffer.from(await response.arrayBuffer()));
    const lines = gunzipSync(await readFile(file))
      .toString('utf8')
      .trim()
      .split('\n');
    expect(JSON.parse(lines[0] as string)).toMatchObject({ format: 'arc-snapshot/1', chainId: a.chainId, height });
    expect(JSON.parse(lines[lines.length - 1] as string)).toEqual({ end: true, entries: lines.length - 2 });

    const logs: string[] = [];
    const b = await startTestNode({ driver, genesis, blockIntervalMs: 3_600_000, snapshotFile: file, log: (line) => logs.push(line) });
    nodes.push(b);
    expect(logs.join('\n')).toMatch(new RegExp(`started from the snapshot at height ${height}`));
    expect(b.services.ledger.head.height).toBe(height);
    const [root] = await a.db.query<{ state_root: Uint8Array }>('SELECT state_root FROM blocks WHERE height = $1', [height]);
    expect(toHex(b.services.ledger.head.stateRoot)).toBe(toHex(new Uint8Array(root?.state_root ?? [])));
    const other = nodeClient(b.url);
    expect(await balanceOf(other, bob.did)).toBe(await balanceOf(client, bob.did));
    const token = await client.token.list.query({});
    expect((await other.token.list.query({})).items.map((t) => t.symbol)).toEqual(token.items.map((t) => t.symbol));
    // It holds no block below the snapshot, and says so; the chain it serves names the snapshot's height.
    expect((await other.chain.genesis.query()).firstHeight).toBe(height + 1);
    expect(await appError(other.block.raw.query({ from: 0 }))).toMatchObject({ appCode: 'HEIGHT_NOT_KEPT' });

    // The first node goes on; the second commits its blocks through the import path, to the same state roots.
    await alice.commit(transfer(bob.did, 2n * ABT));
    await bob.commit(transfer(alice.did, 1n));
    const head = a.services.ledger.head.height;
    for (let h = height + 1; h <= head; h += 1) {
      const imported = await b.services.ledger.importBlock(await blockOf(a, h));
      if (imported instanceof BlockInvalid) throw new Error(`block ${h} refused: ${imported.code} ${imported.message}`);
    }
    expect(b.services.ledger.head.height).toBe(head);
    expect(toHex(b.services.ledger.head.stateRoot)).toBe(toHex(a.services.ledger.head.stateRoot));
    expect(await balanceOf(other, bob.did)).toBe(await balanceOf(client, bob.did));
    // Proofs at the new head are the same on both (the follower's trie holds the snapshot's nodes and the new ones).
    const proof = (c: typeof client) => c.chain.stateProof.query({ kind: 'account', id: bob.did, height: head });
    expect(await proof(other)).toEqual(await proof(client));
  });

  it('a node started from a snapshot with FOLLOW_URL catches up, stays current, and sends transactions on to the node it follows', async () => {
    const client = nodeClient(a.url);
    const alice = new Wallet(client, a.chainId, devKey('alice'));
    const made = await a.services.snapshots.current();
    const f = await startTestNode({ driver, genesis, blockIntervalMs: 3_600_000, snapshotFile: made.path, follow: { url: a.url } });
    nodes.push(f);
    const carol = randomSigner();
    await alice.commit(transfer(carol.did, 3n * ABT));
    const inStep = () => f.services.ledger.head.height === a.services.ledger.head.height;
    await expect.poll(inStep, { timeout: 20_000 }).toBe(true);
    expect(toHex(f.services.ledger.head.stateRoot)).toBe(toHex(a.services.ledger.head.stateRoot));

    // Sent to the follower: the followed node commits it, and the follower hears of it in the block it imports.
    const viaFollower = new Wallet(nodeClient(f.url), a.chainId, devKey('alice'));
    const { height } = await viaFollower.commit(transfer(carol.did, 1n));
    expect(await balanceOf(nodeClient(f.url), carol.did)).toBe(3n * ABT + 1n);
    expect(await balanceOf(client, carol.did)).toBe(3n * ABT + 1n);
    expect(height).toBeGreaterThan(made.height);
    // It made no block of its own: every block past the snapshot is the followed node's, under its seal.
    const proposers = await f.db.query<{ proposer: string }>('SELECT DISTINCT proposer FROM blocks WHERE height > $1', [made.height]);
    expect(proposers.map((row) => row.proposer)).toEqual([a.services.ledger.nodeDid]);
    const health = (await (await fetch(`${f.url}/health`)).json()) as { follow?: unknown };
    expect(health.follow).toMatchObject({ url: a.url, error: null });
  });

  it('a follower pointed at a node of another chain imports nothing and says why', async () => {
    const stranger = await startTestNode({ driver, genesis: { ...genesis, chainId: `${genesis.chainId}-other` }, blockIntervalMs: 200 });
    nodes.push(stranger);
    const made = await a.services.snapshots.current();
    const f = await startTestNode({ driver, genesis, blockIntervalMs: 3_600_000, snapshotFile: made.path, follow: { url: stranger.url } });
    nodes.push(f);
    const status = () => f.services.follower?.status().error?.message ?? '';
    await expect.poll(status, { timeout: 20_000 }).toMatch(/is not valid here|does not decode/);
    expect(f.services.ledger.head.height).toBe(made.height);
  });

  it('a snapshot whose entries were changed, cut short, or of another chain starts nothing and writes nothing', async () => {
    const made = await a.services.snapshots.current();
    const lines = gunzipSync(await readFile(made.path))
      .toString('utf8')
      .trim()
      .split('\n');
    const entryAt = lines.findIndex((line) => line.startsWith('{"k":"account"'));
    const changed = [...lines];
    const entry = JSON.parse(lines[entryAt] as string);
    // Another valid account entry in place of this one: it decodes, but the state root is not the block's.
    const otherEntry = JSON.parse(lines.slice(entryAt + 1).find((line) => line.startsWith('{"k":"account"')) as string);
    changed[entryAt] = JSON.stringify({ ...entry, v: otherEntry.v });
    const cases: [string, string[], RegExp][] = [
      ['changed', changed, /appears twice|state root/],
      ['cut', lines.slice(0, -3), /cut short/],
      ['other-chain', [JSON.stringify({ ...JSON.parse(lines[0] as string), chainId: 'arc-other' }), ...lines.slice(1)], /chain/],
      // No line break for longer than any snapshot line: refused before it is gathered into memory whole.
      ['no-line-breaks', [`${lines[0]}${' '.repeat(SNAPSHOT_LINE_MAX_CHARS)}`], /line 1: a line is longer than/],
    ];
    // One node start shows the refusal reaches the operator; the other cases go through the same import directly.
    const database = await createTestDatabase(driver);
    const files = await Promise.all(
      cases.map(async ([name, content]) => {
        const file = join(folder, `${name}.snapshot.gz`);
        await writeFile(file, gzipSync(`${content.join('\n')}\n`));
        return file;
      }),
    );
    const started = await startTestNode({ driver, genesis, database: database.target, snapshotFile: files[0], log: () => undefined }).then(
      (node) => {
        nodes.push(node);
        return null;
      },
      (error: Error) => error,
    );
    const db = await openDatabase(database.target, () => undefined);
    try {
      for (const [index, [name, , reason]] of cases.entries()) {
        const failed =
          index === 0
            ? started
            : await importSnapshot(db, files[index] as string, genesis, () => undefined).then(
                () => null,
                (error: Error) => error,
              );
        expect(failed?.message, name).toMatch(reason);
        expect(await db.query('SELECT 1 FROM blocks'), name).toEqual([]);
        expect(await db.query('SELECT 1 FROM accounts'), name).toEqual([]);
      }
    } finally {
      await db.close();
      await database.drop();
    }
  });
});

describe('snapshot folders', () => {
  it('a node sweeps the snapshot folders of node processes that are gone, and only those', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'arc-snapshot-sweep-'));
    try {
      const gone = spawn(process.execPath, ['-e', '']);
      const deadPid = gone.pid as number;
      await new Promise((resolve) => gone.once('exit', resolve));
      const names = [`arc-snapshot-${deadPid}-a`, `arc-snapshot-${process.pid}-b`, `arc-snapshot-${process.ppid}-c`, 'arc-snapshot-other'];
      for (const name of names) {
        await mkdir(join(parent, name));
        await writeFile(join(parent, name, '1.ndjson.gz'), 'left by a killed node');
      }
      expect(await sweepStaleFolders(parent)).toBe(1);
      expect((await readdir(parent)).sort()).toEqual(names.slice(1).sort());
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});
