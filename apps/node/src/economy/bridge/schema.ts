import { bigint, bigserial, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { amount } from '../../db/columns.ts';

/**
 * Every transfer over the ABT ↔ ERC-20 bridge and how far it got. `direction` 'toEthereum': a ledger lock (source id:
 * the lock id, 0x and the lock transaction's hash), locked → minting → minted. 'toLedger': a burn on Ethereum (source
 * id: `0x<burn tx hash>:<log index>`), burned → releasing → released, or refused (never releases: `reason` says why),
 * or reorged (removed from Ethereum by a reorganisation deeper than the confirmations). Ethereum addresses are stored
 * lower case. `ethBlock`: the block of the mint or the burn, for confirmations.
 */
export const bridgeTransfers = pgTable(
  'bridge_transfers',
  {
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    direction: text('direction').notNull(),
    sourceId: text('source_id').notNull(),
    amount: amount('amount').notNull(),
    fromAccount: text('from_account').notNull(),
    toAccount: text('to_account').notNull(),
    status: text('status').notNull(),
    reason: text('reason'),
    ethTxHash: text('eth_tx_hash'),
    ethBlock: bigint('eth_block', { mode: 'number' }),
    ledgerTxHash: text('ledger_tx_hash'),
    confirmations: integer('confirmations').notNull().default(0),
    /** Failed attempts to finish the transfer (collect signatures, send); bounded by BRIDGE_LIMITS.attemptsMax. */
    attempts: integer('attempts').notNull().default(0),
    createdAtMs: bigint('created_at_ms', { mode: 'number' }).notNull(),
    updatedAtMs: bigint('updated_at_ms', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.direction, t.sourceId] }),
    uniqueIndex('bridge_transfers_seq_idx').on(t.seq),
    index('bridge_transfers_status_idx').on(t.status, t.seq),
    index('bridge_transfers_from_idx').on(t.fromAccount, t.seq),
    index('bridge_transfers_to_idx').on(t.toAccount, t.seq),
  ],
);

/** Where the relayer stands on each source: the last ledger lock it recorded, and its Ethereum event stream. */
export const bridgeCheckpoints = pgTable('bridge_checkpoints', {
  name: text('name').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAtMs: bigint('updated_at_ms', { mode: 'number' }).notNull(),
});
