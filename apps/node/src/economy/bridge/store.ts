import type { Database, Sql } from '../../db/client.ts';
import { BRIDGE_FINAL, BRIDGE_LIMITS, type BridgeDirection, type BridgeStatus, type BridgeTransfer } from './options.ts';

interface TransferRow {
  seq: string | number;
  direction: BridgeDirection;
  source_id: string;
  amount: string;
  from_account: string;
  to_account: string;
  status: BridgeStatus;
  reason: string | null;
  eth_tx_hash: string | null;
  eth_block: string | number | null;
  ledger_tx_hash: string | null;
  confirmations: number;
  attempts: number;
  created_at_ms: string | number;
  updated_at_ms: string | number;
}

function transferOf(row: TransferRow): BridgeTransfer {
  return {
    seq: Number(row.seq),
    direction: row.direction,
    sourceId: row.source_id,
    amount: BigInt(row.amount),
    fromAccount: row.from_account,
    toAccount: row.to_account,
    status: row.status,
    reason: row.reason,
    ethTxHash: row.eth_tx_hash,
    ethBlock: row.eth_block === null ? null : Number(row.eth_block),
    ledgerTxHash: row.ledger_tx_hash,
    confirmations: row.confirmations,
    attempts: row.attempts,
    createdAtMs: Number(row.created_at_ms),
    updatedAtMs: Number(row.updated_at_ms),
  };
}

/** A new transfer: its source and what it moves. */
export interface NewTransfer {
  direction: BridgeDirection;
  sourceId: string;
  amount: bigint;
  fromAccount: string;
  toAccount: string;
  status: BridgeStatus;
  reason?: string | null;
  ethTxHash?: string | null;
  ethBlock?: number | null;
  ledgerTxHash?: string | null;
}

export type TransferPatch = Partial<
  Pick<BridgeTransfer, 'status' | 'reason' | 'ethTxHash' | 'ethBlock' | 'ledgerTxHash' | 'confirmations' | 'attempts'>
>;

const COLUMNS: Record<keyof TransferPatch, string> = {
  status: 'status',
  reason: 'reason',
  ethTxHash: 'eth_tx_hash',
  ethBlock: 'eth_block',
  ledgerTxHash: 'ledger_tx_hash',
  confirmations: 'confirmations',
  attempts: 'attempts',
};

/** The bridge's tables (schema.ts): transfers and the relayer's checkpoints. Amounts travel as decimal strings. */
export class BridgeStore {
  constructor(
    readonly db: Database,
    readonly now: () => number,
  ) {}

  async checkpoint<T>(name: string, sql: Sql = this.db): Promise<T | undefined> {
    const [row] = await sql.query<{ value: T | string }>('SELECT value FROM bridge_checkpoints WHERE name = $1', [name]);
    if (!row) return undefined;
    return typeof row.value === 'string' ? (JSON.parse(row.value) as T) : row.value;
  }

  async saveCheckpoint(sql: Sql, name: string, value: unknown): Promise<void> {
    await sql.query(
      `INSERT INTO bridge_checkpoints (name, value, updated_at_ms) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at_ms = EXCLUDED.updated_at_ms`,
      [name, JSON.stringify(value), this.now()],
    );
  }

  /**
   * Records transfers (a source seen again is left as it is, unless it was reorged away and is back) and moves the
   * checkpoint past them, in one database transaction: each source is recorded once, and none is skipped.
   */
  async record(transfers: NewTransfer[], checkpoint: { name: string; value: unknown }): Promise<void> {
    const at = this.now();
    await this.db.transaction(async (sql) => {
      for (const t of transfers) {
        await sql.query(
          `INSERT INTO bridge_transfers (direction, source_id, amount, from_account, to_account, status, reason, eth_tx_hash,
             eth_block, ledger_tx_hash, created_at_ms, updated_at_ms)
           VALUES ($1, $2, $3::numeric, $4, $5, $6, $7, $8, $9, $10, $11, $11)
           ON CONFLICT (direction, source_id) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason,
             eth_block = EXCLUDED.eth_block, updated_at_ms = EXCLUDED.updated_at_ms
           WHERE bridge_transfers.status = 'reorged'`,
          [
            t.direction,
            t.sourceId,
            t.amount.toString(),
            t.fromAccount,
            t.toAccount,
            t.status,
            t.reason ?? null,
            t.ethTxHash ?? null,
            t.ethBlock ?? null,
            t.ledgerTxHash ?? null,
            at,
          ],
        );
      }
      await this.saveCheckpoint(sql, checkpoint.name, checkpoint.value);
    });
  }

  /** Marks the burns of a transaction reorganised away (those not released) and moves the checkpoint, together. */
  async reorged(ethTxHash: string, checkpoint: { name: string; value: unknown }): Promise<BridgeTransfer[]> {
    return this.db.transaction(async (sql) => {
      const rows = await sql.query<TransferRow>(
        `UPDATE bridge_transfers SET status = CASE WHEN status = 'released' THEN status ELSE 'reorged' END,
           reason = 'removed from Ethereum by a reorganisation deeper than the confirmations', updated_at_ms = $2
         WHERE direction = 'toLedger' AND source_id LIKE $1 RETURNING *`,
        [`${ethTxHash.toLowerCase()}:%`, this.now()],
      );
      await this.saveCheckpoint(sql, checkpoint.name, checkpoint.value);
      return rows.map(transferOf);
    });
  }

  /** Transfers of one direction still moving, oldest first. */
  async inFlight(direction: BridgeDirection, limit: number = BRIDGE_LIMITS.advanceBatchMax): Promise<BridgeTransfer[]> {
    return this.withStatus(direction, BRIDGE_FINAL, limit, this.db, true);
  }

  /** Transfers of one direction with one of `statuses` (or, `except`, with none of them), oldest first. */
  async withStatus(direction: BridgeDirection, statuses: readonly BridgeStatus[], limit: number, sql: Sql = this.db, except = false) {
    const rows = await sql.query<TransferRow>(
      `SELECT * FROM bridge_transfers WHERE direction = $1 AND ${except ? 'status <> ALL($2::text[])' : 'status = ANY($2::text[])'}
       ORDER BY seq LIMIT $3`,
      [direction, statuses, limit],
    );
    return rows.map(transferOf);
  }

  /** The source ids of burns recorded from Ethereum block `fromBlock` on. */
  async burnsSince(fromBlock: number, sql: Sql = this.db): Promise<Set<string>> {
    const rows = await sql.query<{ source_id: string }>(
      `SELECT source_id FROM bridge_transfers WHERE direction = 'toLedger' AND eth_block >= $1`,
      [fromBlock],
    );
    return new Set(rows.map((r) => r.source_id));
  }

  async update(t: Pick<BridgeTransfer, 'direction' | 'sourceId'>, patch: TransferPatch): Promise<void> {
    const entries = Object.entries(patch) as [keyof TransferPatch, unknown][];
    const sets = entries.map(([key], i) => `${COLUMNS[key]} = $${i + 4}`);
    await this.db.query(
      `UPDATE bridge_transfers SET ${[...sets, 'updated_at_ms = $3'].join(', ')} WHERE direction = $1 AND source_id = $2`,
      [t.direction, t.sourceId, this.now(), ...entries.map(([, value]) => value)],
    );
  }

  /** Counts a failed attempt with its reason; the transfer is marked failed after BRIDGE_LIMITS.attemptsMax. */
  async failed(t: BridgeTransfer, reason: string): Promise<void> {
    const attempts = t.attempts + 1;
    await this.update(t, { reason, attempts, ...(attempts >= BRIDGE_LIMITS.attemptsMax ? { status: 'failed' as const } : {}) });
  }

  /** A page of transfers, newest first, optionally of one account (a DID or a lower-case Ethereum address). */
  async page(account: string | undefined, beforeSeq: number | undefined, limit: number, sql: Sql = this.db): Promise<BridgeTransfer[]> {
    const rows = await sql.query<TransferRow>(
      `SELECT * FROM bridge_transfers
       WHERE ($1::text IS NULL OR from_account = $1 OR to_account = $1) AND ($2::bigint IS NULL OR seq < $2)
       ORDER BY seq DESC LIMIT $3`,
      [account ?? null, beforeSeq ?? null, limit],
    );
    return rows.map(transferOf);
  }
}
