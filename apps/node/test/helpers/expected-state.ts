import type { GenesisConfig } from '@arc/core';
import { expect } from 'vitest';
import type { NodeClient } from './client.ts';
import { walkPages } from './pages.ts';

const PAGE_LIMIT = 100;
const QUERY_CHUNK = 50;

async function inChunks<T, R>(items: T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += QUERY_CHUNK) out.push(...(await Promise.all(items.slice(i, i + QUERY_CHUNK).map(run))));
  return out;
}

export interface CommittedSummary {
  height: number;
  txs: number;
  accounts: number;
}

/**
 * Checks a restarted node against what it said before the crash and against its own history:
 * 1. every transaction it had reported committed is still committed, at the same height
 *    (`atRisk` are asked one by one through tx.byHash, the rest are looked up in tx.list);
 * 2. no transaction is half-applied: replaying the committed transfers the API lists over the
 *    genesis balances gives exactly each account's balance and nonce that account.get returns.
 * The load must be paused (empty blocks may still come; they change no balance).
 */
export async function checkCommittedState(
  client: NodeClient,
  genesis: GenesisConfig,
  reported: Map<string, number>,
  atRisk: string[],
): Promise<CommittedSummary> {
  const info = await client.chain.info.query();
  const { items } = await walkPages((cursor: string | undefined) => client.tx.list.query({ cursor, limit: PAGE_LIMIT }));
  const heights = new Map(items.map((tx) => [tx.hash, tx.height]));
  expect(heights.size, 'tx.list repeats a transaction').toBe(items.length);

  const lost = [...reported].filter(([hash, height]) => heights.get(hash) !== height);
  expect(lost, 'transactions the node reported committed and then lost (hash, height)').toEqual([]);
  const statuses = await inChunks(atRisk, (hash) => client.tx.byHash.query({ hash }));
  for (const status of statuses) expect(status).toMatchObject({ status: 'committed', height: reported.get(status.hash) });

  const balances = new Map(genesis.allocations.map((a) => [a.did, a.amount]));
  const nonces = new Map<string, number>();
  const add = (did: string, delta: bigint) => balances.set(did, (balances.get(did) ?? 0n) + delta);
  const oldestFirst = [...items].sort((a, b) => a.height - b.height || a.index - b.index);
  for (const tx of oldestFirst) {
    expect(tx.type).toBe('transfer');
    const { to, amount } = tx.itx as { to: string; amount: string };
    expect(tx.nonce, `nonce of ${tx.hash}`).toBe((nonces.get(tx.from) ?? 0) + 1);
    nonces.set(tx.from, tx.nonce);
    add(tx.from, -(BigInt(amount) + BigInt(tx.fee)));
    add(to, BigInt(amount));
    add(info.nodeDid, BigInt(tx.fee));
  }
  const total = [...balances.values()].reduce((sum, b) => sum + b, 0n);
  expect(total.toString()).toBe(info.nativeToken.totalSupply);

  const dids = [...balances.keys()];
  const accounts = await inChunks(dids, (did) => client.account.get.query({ did }));
  const actual = accounts.map((a) => ({ did: a.did, balance: a.balance, nonce: a.nonce }));
  const expected = dids.map((did) => ({ did, balance: (balances.get(did) ?? 0n).toString(), nonce: nonces.get(did) ?? 0 }));
  expect(actual).toEqual(expected);
  return { height: info.height, txs: items.length, accounts: dids.length };
}
