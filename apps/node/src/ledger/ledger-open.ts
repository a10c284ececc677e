import { bytesEqual, toHex } from '@arc/core';
import { genesisBlock } from './genesis-block.ts';
import type { Ledger } from './ledger.ts';
import type { Head } from './ledger-options.ts';
import { PARAMS_DID, SNAPSHOT_FROM, TOKEN_BALANCES_INDEXED } from './store.ts';
import { setStoredFrom, TRIE_STORED_FROM } from './trie-rows.ts';

/** Where a ledger stands after `openChain`: its head, and what a stored chain says of its parameters and first block. */
export interface OpenedChain {
  head: Head;
  /** The DID the chain's parameters were made under, when not this node's (a node started from a snapshot). */
  paramsDid?: string;
  /** The lowest height whose block this node holds whole. */
  firstHeight: number;
}

/** Writes genesis on an empty database, or checks the stored chain and answers its head. */
export async function openChain(ledger: Ledger): Promise<OpenedChain> {
  const { store, trie, options, chainId } = ledger;
  const stored = await store.getMeta('chain');
  if (stored === undefined) return { head: await writeGenesis(ledger), firstHeight: 0 };
  const meta = stored as { chainId: string; genesisHash: string };
  if (meta.chainId !== chainId) {
    throw new Error(
      `the database holds chain "${meta.chainId}" but the genesis file is for "${chainId}"; use another DATA_DIR or DATABASE_URL`,
    );
  }
  const [row] = await ledger.db.query<{ height: string | number; hash: Uint8Array; state_root: Uint8Array; time_ms: string | number }>(
    'SELECT height, hash, state_root, time_ms FROM blocks ORDER BY height DESC LIMIT 1',
  );
  // An earlier start wrote the metadata but died before genesis (older nodes did those apart).
  if (!row) return { head: await writeGenesis(ledger), firstHeight: 0 };
  const paramsDid = await store.getMeta(PARAMS_DID);
  const snapshotFrom = await store.getMeta(SNAPSHOT_FROM);
  const root = new Uint8Array(row.state_root);
  if (!(await trie.has(root))) {
    // A chain stored before the trie tables (migration 0016): build them once from the state rows. A chain already
    // on them cannot lack its head's root (each block writes its nodes in its own transaction), but if it does, the
    // state rows rebuild them the same way.
    if ((await store.getMeta(TRIE_STORED_FROM)) !== undefined) {
      options.log(`the trie tables lack the state root of block ${row.height}; rebuilding them from the state rows`);
    }
    const built = await trie.buildFromRows(store, Number(row.height), options.log);
    if (!bytesEqual(built, root)) {
      throw new Error(`state root mismatch at height ${row.height}: the state rows give ${toHex(built)}, the block says ${toHex(root)}`);
    }
  }
  trie.reset(root, Number((await store.getMeta(TRIE_STORED_FROM)) ?? 0));
  const head = { height: Number(row.height), hash: new Uint8Array(row.hash), stateRoot: root, timeMs: Number(row.time_ms) };
  const indexed = await store.indexTokenBalancesOnce();
  if (indexed > 0) options.log(`indexed ${indexed} token balances for the explorer's holder lists`);
  options.log(`resumed chain ${chainId} at height ${head.height} (state root ${toHex(root).slice(0, 16)}…)`);
  return {
    head,
    ...(typeof paramsDid === 'string' && paramsDid !== ledger.nodeDid ? { paramsDid } : {}),
    firstHeight: typeof snapshotFrom === 'number' ? snapshotFrom + 1 : 0,
  };
}

async function writeGenesis(ledger: Ledger): Promise<Head> {
  const { store, trie, options, chainId } = ledger;
  const { block, trieUpdate } = genesisBlock(options.genesis, options.nodeKey);
  // One transaction: a start killed here leaves either no chain or a whole genesis.
  await store.commitBlock(block, async (tx) => {
    await trie.write(tx, 0, trieUpdate);
    await setStoredFrom(tx, 0);
    await store.setMeta(tx, 'chain', { chainId, genesisHash: toHex(block.hash) });
    // A new chain indexes token holders from its first block.
    await store.setMeta(tx, TOKEN_BALANCES_INDEXED, true);
  });
  trie.reset(trieUpdate.root, 0);
  trie.commit(trieUpdate);
  options.log(`wrote genesis of chain ${chainId} (${block.writes.length} accounts)`);
  return { height: 0, hash: block.hash, stateRoot: block.header.stateRoot, timeMs: block.header.timeMs };
}
