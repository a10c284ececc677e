import {
  type AccountState,
  decodeAccount,
  decodeAsset,
  decodeToken,
  decodeTx,
  encodeProof,
  type StateKind,
  sha3,
  sponsorRoot,
  stateKey,
  stateKeyHash,
  type Tx,
  toHex,
  txSigningBytes,
  verifyProof,
} from '@arc/core';
import type { z } from 'zod';
import { NodeError } from '../errors.ts';
import type { ItxOut } from './api-schemas.ts';
import { toJsonValue } from './json.ts';
import type { Ledger } from './ledger.ts';
import { splitId } from './state-tables.ts';
import { STATE_TABLES } from './store.ts';

type Num = string | number;

/** Reads of an account racing block commits; each retry sees a newer head. */
const ACCOUNT_READ_ATTEMPTS = 8;

export interface BlockOut {
  height: number;
  hash: string;
  prevHash: string;
  timeMs: number;
  proposer: string;
  txRoot: string;
  stateRoot: string;
  txCount: number;
  txHashes: string[];
}

export interface TxOut {
  hash: string;
  height: number;
  index: number;
  timeMs: number;
  from: string;
  nonce: number;
  fee: string;
  feePayer: string | null;
  /** Set when the fee payer co-signed this transaction in a batch: its leaf, the proof's depth and the batch root. */
  feePayerBatch: { index: number; proofDepth: number; root: string } | null;
  type: z.infer<typeof ItxOut>['type'];
  itx: z.infer<typeof ItxOut>;
  accounts: string[];
  /** Set when its inner transaction failed after the fee was charged. */
  failed: { code: string; message: string } | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface BlockRow {
  height: Num;
  hash: Uint8Array;
  prev_hash: Uint8Array;
  time_ms: Num;
  proposer: string;
  tx_root: Uint8Array;
  state_root: Uint8Array;
  tx_count: number;
}

const TX_COLUMNS = 't.hash, t.height, t.idx, t.bytes, t.accounts, t.fee_payer, t.failed_code, t.failed_message, b.time_ms';
interface TxRow {
  hash: Uint8Array;
  height: Num;
  idx: number;
  bytes: Uint8Array;
  accounts: string[];
  fee_payer: string | null;
  failed_code: string | null;
  failed_message: string | null;
  time_ms: Num;
}

function txOut(row: TxRow): TxOut {
  const tx = decodeTx(new Uint8Array(row.bytes));
  const itx = toJsonValue(tx.itx) as z.infer<typeof ItxOut>;
  return {
    hash: toHex(row.hash),
    height: Number(row.height),
    index: row.idx,
    timeMs: Number(row.time_ms),
    from: tx.from,
    nonce: tx.nonce,
    fee: tx.fee.toString(),
    feePayer: row.fee_payer,
    feePayerBatch: batchOf(tx),
    type: tx.itx.type,
    itx,
    accounts: row.accounts,
    failed: row.failed_code === null ? null : { code: row.failed_code, message: row.failed_message ?? '' },
  };
}

function batchOf(tx: Tx): TxOut['feePayerBatch'] {
  const batch = tx.feePayer?.batch;
  if (!batch) return null;
  return { index: batch.index, proofDepth: batch.proof.length, root: toHex(sponsorRoot(txSigningBytes(tx), batch)) };
}

/** Position cursors are "height:index" strings, newest first. */
function parsePosition(cursor: string | undefined): [number, number] {
  if (!cursor) return [Number.MAX_SAFE_INTEGER, 0];
  const [h, i] = cursor.split(':').map(Number);
  return [h ?? 0, i ?? 0];
}

/** Read models for the API: every list pages with a cursor. */
export class LedgerQueries {
  constructor(private readonly ledger: Ledger) {}

  private get db() {
    return this.ledger.db;
  }

  private async blockOut(row: BlockRow): Promise<BlockOut> {
    const hashes = await this.db.query<{ hash: Uint8Array }>('SELECT hash FROM txs WHERE height = $1 ORDER BY idx', [row.height]);
    return {
      height: Number(row.height),
      hash: toHex(row.hash),
      prevHash: toHex(row.prev_hash),
      timeMs: Number(row.time_ms),
      proposer: row.proposer,
      txRoot: toHex(row.tx_root),
      stateRoot: toHex(row.state_root),
      txCount: row.tx_count,
      txHashes: hashes.map((h) => toHex(h.hash)),
    };
  }

  async blockByHeight(height: number): Promise<BlockOut | null> {
    const [row] = await this.db.query<BlockRow>('SELECT * FROM blocks WHERE height = $1', [height]);
    return row ? this.blockOut(row) : null;
  }

  async blockByHash(hash: string): Promise<BlockOut | null> {
    const [row] = await this.db.query<BlockRow>("SELECT * FROM blocks WHERE hash = decode($1, 'hex')", [hash]);
    return row ? this.blockOut(row) : null;
  }

  async listBlocks(cursor: number | undefined, limit: number): Promise<{ items: BlockOut[]; nextCursor: number | null }> {
    const rows = await this.db.query<BlockRow>('SELECT * FROM blocks WHERE height < $1 ORDER BY height DESC LIMIT $2', [
      cursor ?? Number.MAX_SAFE_INTEGER,
      limit + 1,
    ]);
    const items = await Promise.all(rows.slice(0, limit).map((r) => this.blockOut(r)));
    return { items, nextCursor: rows.length > limit ? (items[items.length - 1]?.height ?? null) : null };
  }

  async txByHash(hash: string): Promise<TxOut | null> {
    const [row] = await this.db.query<TxRow>(
      `SELECT ${TX_COLUMNS} FROM txs t JOIN blocks b ON b.height = t.height WHERE t.hash = decode($1, 'hex')`,
      [hash],
    );
    return row ? txOut(row) : null;
  }

  async rejection(hash: string): Promise<{ code: string; message: string } | null> {
    const [row] = await this.db.query<{ code: string; message: string }>(
      "SELECT code, message FROM rejected_txs WHERE hash = decode($1, 'hex')",
      [hash],
    );
    return row ?? null;
  }

  async listTxs(cursor: string | undefined, limit: number): Promise<Page<TxOut>> {
    const [h, i] = parsePosition(cursor);
    const rows = await this.db.query<TxRow>(
      `SELECT ${TX_COLUMNS} FROM txs t JOIN blocks b ON b.height = t.height
       WHERE (t.height, t.idx) < ($1, $2) ORDER BY t.height DESC, t.idx DESC LIMIT $3`,
      [h, i, limit + 1],
    );
    return this.page(rows, limit);
  }

  async listTxsByAccount(did: string, cursor: string | undefined, limit: number): Promise<Page<TxOut>> {
    const [h, i] = parsePosition(cursor);
    const rows = await this.db.query<TxRow>(
      `SELECT ${TX_COLUMNS} FROM tx_accounts a JOIN txs t ON t.height = a.height AND t.idx = a.idx JOIN blocks b ON b.height = t.height
       WHERE a.did = $1 AND (a.height, a.idx) < ($2, $3) ORDER BY a.height DESC, a.idx DESC LIMIT $4`,
      [did, h, i, limit + 1],
    );
    return this.page(rows, limit);
  }

  private page(rows: TxRow[], limit: number): Page<TxOut> {
    const items = rows.slice(0, limit).map(txOut);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? `${last.height}:${last.index}` : null };
  }

  /** An account with a Merkle proof against the head's state root (value and proof read at one height). */
  async account(did: string) {
    for (let attempt = 0; attempt < ACCOUNT_READ_ATTEMPTS; attempt++) {
      const head = this.ledger.head;
      const [row] = await this.db.query<{ value: Uint8Array }>('SELECT value FROM accounts WHERE did = $1', [did]);
      if (this.ledger.head !== head) continue; // a block committed meanwhile: read again at the new head
      const key = stateKey('account', did);
      const proof = await this.ledger.trie.prove(key, head.stateRoot);
      const value = row ? new Uint8Array(row.value) : null;
      // The row and the trie must speak of the same height; a commit between the two reads shows here.
      if (!verifyProof(head.stateRoot, stateKeyHash(key), value ? sha3(value) : null, proof)) continue;
      const account: AccountState = value
        ? decodeAccount(value)
        : { did, publicKey: null, moniker: '', nonce: 0, balance: 0n, tokens: new Map() };
      return {
        did,
        exists: value !== null,
        moniker: account.moniker,
        nonce: account.nonce,
        publicKey: account.publicKey ? toHex(account.publicKey) : null,
        balance: account.balance.toString(),
        tokens: await this.tokenBalances(account),
        proof: { height: head.height, stateRoot: toHex(head.stateRoot), key, value: value ? toHex(value) : null, ...encodeProof(proof) },
      };
    }
    throw new NodeError('UNAVAILABLE', 'blocks are committing faster than the account could be read consistently; retry');
  }

  /**
   * One state entry of any kind by its id (the part of its state key after `kind:`), as its canonical bytes with a
   * Merkle proof against the head's state root: a marketplace component, version, review, report or usage entry is
   * proven the way an account is. `value` is null (and the proof one of absence) when there is no such entry.
   */
  async stateEntry(kind: StateKind, id: string) {
    const { table, idSql, split } = STATE_TABLES[kind];
    // A composite id is looked up by its columns, so the primary key's index serves it.
    const where = split ? `(${split.columns[0]}, ${split.columns[1]}) = ($1, $2)` : `${idSql} = $1`;
    const params = split ? splitId(id, split.sep) : [id];
    for (let attempt = 0; attempt < ACCOUNT_READ_ATTEMPTS; attempt++) {
      const head = this.ledger.head;
      const [row] = await this.db.query<{ value: Uint8Array }>(`SELECT value FROM ${table} WHERE ${where}`, params);
      if (this.ledger.head !== head) continue;
      const key = stateKey(kind, id);
      const proof = await this.ledger.trie.prove(key, head.stateRoot);
      const value = row ? new Uint8Array(row.value) : null;
      if (!verifyProof(head.stateRoot, stateKeyHash(key), value ? sha3(value) : null, proof)) continue;
      return {
        kind,
        id,
        exists: value !== null,
        proof: { height: head.height, stateRoot: toHex(head.stateRoot), key, value: value ? toHex(value) : null, ...encodeProof(proof) },
      };
    }
    throw new NodeError('UNAVAILABLE', 'blocks are committing faster than the entry could be read consistently; retry');
  }

  private async tokenBalances(account: AccountState) {
    if (account.tokens.size === 0) return [];
    const rows = await this.db.query<{ value: Uint8Array }>('SELECT value FROM tokens WHERE address = ANY($1::text[])', [
      [...account.tokens.keys()],
    ]);
    return rows
      .map((r) => decodeToken(new Uint8Array(r.value)))
      .map((t) => ({
        address: t.address,
        symbol: t.symbol,
        decimals: t.decimals,
        amount: (account.tokens.get(t.address) ?? 0n).toString(),
      }))
      .sort((a, b) => a.symbol.localeCompare(b.symbol));
  }

  async token(by: { address?: string; symbol?: string }) {
    const [row] = await this.db.query<{ value: Uint8Array }>('SELECT value FROM tokens WHERE address = $1 OR symbol = $2', [
      by.address ?? '',
      by.symbol ?? '',
    ]);
    return row ? tokenOut(decodeToken(new Uint8Array(row.value))) : null;
  }

  async listTokens(cursor: string | undefined, limit: number) {
    const rows = await this.db.query<{ symbol: string; value: Uint8Array }>(
      'SELECT symbol, value FROM tokens WHERE symbol > $1 ORDER BY symbol LIMIT $2',
      [cursor ?? '', limit + 1],
    );
    const items = rows.slice(0, limit).map((r) => tokenOut(decodeToken(new Uint8Array(r.value))));
    return { items, nextCursor: rows.length > limit ? (items[items.length - 1]?.symbol ?? null) : null };
  }

  async asset(address: string) {
    const [row] = await this.db.query<{ value: Uint8Array }>('SELECT value FROM assets WHERE address = $1', [address]);
    return row ? assetOut(decodeAsset(new Uint8Array(row.value))) : null;
  }

  async listAssetsByOwner(owner: string, cursor: string | undefined, limit: number) {
    const rows = await this.db.query<{ value: Uint8Array }>(
      'SELECT value FROM assets WHERE owner = $1 AND address > $2 ORDER BY address LIMIT $3',
      [owner, cursor ?? '', limit + 1],
    );
    const items = rows.slice(0, limit).map((r) => assetOut(decodeAsset(new Uint8Array(r.value))));
    return { items, nextCursor: rows.length > limit ? (items[items.length - 1]?.address ?? null) : null };
  }
}

function tokenOut(t: ReturnType<typeof decodeToken>) {
  return { ...t, totalSupply: t.totalSupply.toString(), cap: t.cap.toString(), owner: t.owner as string | null, native: false };
}

function assetOut(a: ReturnType<typeof decodeAsset>) {
  return { ...a, data: toHex(a.data) };
}
