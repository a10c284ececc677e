import {
  type AccountState,
  type ApplicationState,
  type AssetState,
  applyTxs,
  applyWritesToTrie,
  blockHash,
  type CheckedTx,
  type ComponentState,
  type ComponentVersionState,
  checkTx,
  componentVersionId,
  decodeHeader,
  EMPTY_ROOT,
  encodeEntry,
  type GenesisConfig,
  type GrantState,
  genesisEntries,
  grantId,
  LedgerError,
  type ReceiptState,
  type ReportState,
  type ReviewState,
  reviewId,
  type StakeState,
  type StateEntry,
  type StateView,
  type StateWrite,
  stateKey,
  type TokenState,
  type TrieNode,
  toHex,
  txMerkleRoot,
  type UsageState,
  usageId,
  writeKey,
  ZERO_HASH,
} from '@arc/core';
import type { Database } from '../../src/db/client.ts';

interface BlockRow {
  height: string | number;
  hash: Uint8Array;
  header: Uint8Array;
  state_root: Uint8Array;
}

interface TxRow {
  height: string | number;
  idx: number;
  hash: Uint8Array;
  bytes: Uint8Array;
  failed_code: string | null;
}

export interface ReplayResult {
  height: number;
  txs: number;
  stateRoot: string;
}

/** Ledger state in a plain Map, the way a second implementation would hold it. */
class MapState implements StateView {
  readonly entries = new Map<string, StateEntry>();
  private readonly nodes = new Map<string, TrieNode>();
  root = EMPTY_ROOT;

  account = (did: string) => this.entries.get(stateKey('account', did))?.value as AccountState | undefined;
  token = (address: string) => this.entries.get(stateKey('token', address))?.value as TokenState | undefined;
  asset = (address: string) => this.entries.get(stateKey('asset', address))?.value as AssetState | undefined;
  grant = (payer: string, grantee: string) => this.entries.get(stateKey('grant', grantId(payer, grantee)))?.value as GrantState | undefined;
  component = (name: string) => this.entries.get(stateKey('component', name))?.value as ComponentState | undefined;
  componentVersion = (name: string, version: string) =>
    this.entries.get(stateKey('componentVersion', componentVersionId(name, version)))?.value as ComponentVersionState | undefined;
  review = (component: string, reviewer: string) =>
    this.entries.get(stateKey('review', reviewId(component, reviewer)))?.value as ReviewState | undefined;
  report = (id: string) => this.entries.get(stateKey('report', id))?.value as ReportState | undefined;
  usage = (component: string, account: string) =>
    this.entries.get(stateKey('usage', usageId(component, account)))?.value as UsageState | undefined;
  stake = (did: string) => this.entries.get(stateKey('stake', did))?.value as StakeState | undefined;
  application = (did: string) => this.entries.get(stateKey('application', did))?.value as ApplicationState | undefined;
  receipt = (id: string) => this.entries.get(stateKey('receipt', id))?.value as ReceiptState | undefined;

  apply(writes: StateWrite[]): void {
    const update = applyWritesToTrie({ get: (hash) => this.nodes.get(hash) }, this.root, writes);
    for (const [hash, node] of update.created) this.nodes.set(hash, node);
    this.root = update.root;
    for (const write of writes) {
      if (write.value === null) this.entries.delete(writeKey(write));
      else this.entries.set(writeKey(write), write as StateEntry);
    }
  }
}

const bytes = (value: Uint8Array) => new Uint8Array(value);

/**
 * Re-applies every stored block from genesis with core alone (checkTx, applyTxs, applyWritesToTrie)
 * and throws at the first block whose hash, parent, tx root or state root the replay does not
 * reproduce; then compares the replayed accounts with the stored account rows.
 */
export async function replayFromGenesis(db: Database, genesis: GenesisConfig): Promise<ReplayResult> {
  const { chainId, params } = genesis;
  const state = new MapState();
  state.apply(genesisEntries(genesis));
  const blocks = await db.query<BlockRow>('SELECT height, hash, header, state_root FROM blocks ORDER BY height');
  const txRows = await db.query<TxRow>('SELECT height, idx, hash, bytes, failed_code FROM txs ORDER BY height, idx');
  const txsAt = new Map<number, TxRow[]>();
  for (const row of txRows) txsAt.set(Number(row.height), [...(txsAt.get(Number(row.height)) ?? []), row]);

  let parent = ZERO_HASH;
  for (const [i, row] of blocks.entries()) {
    const height = Number(row.height);
    const where = `block ${height}`;
    if (height !== i) throw new Error(`heights are not contiguous: ${where} is row ${i}`);
    const header = decodeHeader(bytes(row.header));
    if (toHex(blockHash(header)) !== toHex(bytes(row.hash))) throw new Error(`${where}: the stored hash is not the header's`);
    if (toHex(header.prevHash) !== toHex(parent)) throw new Error(`${where}: prevHash does not name block ${height - 1}`);
    parent = bytes(row.hash);
    if (height > 0) {
      const rows = txsAt.get(height) ?? [];
      if (rows.length !== header.txCount || rows.some((r, idx) => r.idx !== idx))
        throw new Error(`${where}: ${rows.length} stored txs, header says ${header.txCount}`);
      const checked: CheckedTx[] = [];
      for (const r of rows) {
        const tx = checkTx(bytes(r.bytes), { chainId, params });
        if (tx instanceof LedgerError) throw new Error(`${where}: a stored tx fails checkTx: ${tx.message}`);
        if (tx.hashHex !== toHex(bytes(r.hash))) throw new Error(`${where}: a stored tx's hash is not the hash of its bytes`);
        checked.push(tx);
      }
      if (toHex(txMerkleRoot(checked.map((c) => c.hash))) !== toHex(header.txRoot))
        throw new Error(`${where}: txRoot does not match its txs`);
      const ctx = { chainId, height, timeMs: header.timeMs, proposer: header.proposer, params };
      const result = applyTxs(state, checked, ctx);
      if (result.rejected.length > 0) throw new Error(`${where}: a stored tx fails on replay: ${result.rejected[0]?.error.message}`);
      // A stored failure fails again with its code, and nothing stored as a success fails.
      for (const [idx, { ok }] of result.included.entries()) {
        const storedCode = rows[idx]?.failed_code ?? null;
        if ((ok.failed?.code ?? null) !== storedCode)
          throw new Error(
            `${where}: tx ${idx} is stored as ${storedCode ?? 'a success'}, the replay gives ${ok.failed?.code ?? 'a success'}`,
          );
      }
      state.apply([...result.overlay.writes.values()]);
    }
    const stored = toHex(bytes(row.state_root));
    if (toHex(state.root) !== stored) throw new Error(`${where}: replay gives state root ${toHex(state.root)}, the block says ${stored}`);
    if (toHex(header.stateRoot) !== stored) throw new Error(`${where}: the header's state root differs from the row's`);
  }

  const accounts = await db.query<{ did: string; value: Uint8Array }>('SELECT did, value FROM accounts ORDER BY did');
  const replayed = [...state.entries.values()].filter((e) => e.kind === 'account');
  if (accounts.length !== replayed.length) throw new Error(`${accounts.length} account rows, the replay has ${replayed.length} accounts`);
  for (const { did, value } of accounts) {
    const entry = state.entries.get(stateKey('account', did));
    if (!entry || toHex(encodeEntry(entry)) !== toHex(bytes(value))) throw new Error(`the account row of ${did} differs from the replay`);
  }
  return { height: blocks.length - 1, txs: txRows.length, stateRoot: toHex(state.root) };
}
