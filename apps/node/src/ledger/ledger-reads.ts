import {
  type BlockCandidate,
  type BlockInvalid,
  type BuiltBlock,
  type CheckedTx,
  checkTxStatic,
  LedgerError,
  validateBlock,
} from '@arc/core';
import type { SubmitResult } from './admission.ts';
import { viewForTxs } from './keys.ts';
import type { Head, Ledger } from './ledger.ts';
import { emptyStateKeys } from './store.ts';

/** A cloud node's queue of admitted transactions in the shared database (cloud/tx-queue.ts), read in place of the mempool. */
export interface SharedQueue {
  /** The nonce an account's next transaction takes: committed plus queued, read in one snapshot of the database. */
  nextNonce(did: string): Promise<number>;
  /** True while the transaction is queued (admitted by any process and not yet in a committed block). */
  holds(hash: string): Promise<boolean>;
  /** Queues a transaction whose signatures verified, if its nonce is the account's next (`dryRun` when none waits). */
  admit(checked: CheckedTx, dryRun: () => Promise<void>): Promise<SubmitResult>;
}

/**
 * The nonce an account's next transaction takes on one process: committed plus waiting, both read with no commit
 * between them (a commit moves transactions from waiting to committed, so two reads across it count one twice or not
 * at all).
 */
export async function localNextNonce(ledger: Ledger, did: string): Promise<number> {
  const keys = emptyStateKeys();
  keys.accounts.add(did);
  for (;;) {
    const version = ledger.cache.version;
    const view = await ledger.cache.view(keys);
    if (ledger.cache.version === version) return (view.account(did)?.nonce ?? 0) + ledger.mempool.pendingCount(did) + 1;
  }
}

/** The head the database holds, with the trie's root moved to it and the state cache emptied. */
export async function headFromDatabase(ledger: Ledger): Promise<Head> {
  const [row] = await ledger.db.query<{ height: string | number; hash: Uint8Array; state_root: Uint8Array; time_ms: string | number }>(
    'SELECT height, hash, state_root, time_ms FROM blocks ORDER BY height DESC LIMIT 1',
  );
  if (!row) throw new Error('the blocks table is empty after a commit');
  const root = new Uint8Array(row.state_root);
  ledger.trie.reset(root);
  ledger.cache.clear();
  return { height: Number(row.height), hash: new Uint8Array(row.hash), stateRoot: root, timeMs: Number(row.time_ms) };
}

/** What every block may read whatever its transactions: the proposer (fees), the treasury and the bridge escrow. */
export function blockKeys(ledger: Ledger) {
  const keys = emptyStateKeys();
  keys.accounts.add(ledger.nodeDid);
  keys.accounts.add(ledger.params.economy.treasury);
  keys.accounts.add(ledger.params.economy.bridgeEscrow);
  return keys;
}

/** A block made elsewhere, checked by core's validateBlock on this node's head and state: built, or why it is invalid. */
export async function validateOnHead(
  ledger: Ledger,
  candidate: BlockCandidate,
  parentSeed?: Uint8Array,
): Promise<BuiltBlock | BlockInvalid> {
  const checked: CheckedTx[] = [];
  for (const bytes of candidate.txs) {
    const one = checkTxStatic(bytes, { chainId: ledger.chainId, params: ledger.params });
    if (!(one instanceof LedgerError)) checked.push(one);
  }
  // Transactions this node admitted had their signatures checked then (the mempool holds nothing else, and no block
  // commits while this runs): only the others are, on the signature threads. One that fails there is checked again
  // by validateBlock, which says which transaction and why.
  const verified = new Set<string>();
  const unknown = checked.filter((c) => ledger.mempool.get(c.hashHex) === undefined);
  const answers = await Promise.allSettled(unknown.map((c) => ledger.signatures.check(c)));
  for (const [i, c] of unknown.entries()) {
    const answer = answers[i];
    if (answer?.status === 'fulfilled' && answer.value === null) verified.add(c.hashHex);
  }
  const keys = blockKeys(ledger);
  keys.accounts.add(candidate.header.proposer);
  const view = await viewForTxs(ledger.cache, keys, checked);
  const { chainId, params, head: parent } = ledger;
  return ledger.trie.build(parent.stateRoot, keys, (trie) =>
    validateBlock({ chainId, params, parent, view, trie }, candidate, {
      nowMs: ledger.options.now(),
      checkSignatures: (hashHex) => !verified.has(hashHex) && ledger.mempool.get(hashHex) === undefined,
      ...(parentSeed ? { consensus: { parentSeed } } : {}),
    }),
  );
}
