import { isValidDid } from '@arc/core';
import { z } from 'zod';
import { BRIDGE_LIMITS } from './options.ts';

/** The bridge's status procedure (economy.bridge): input parsed here, output stated. Amounts are decimal strings. */

const Amount = z.string().regex(/^\d+$/);
const EthAddress = /^0x[0-9a-fA-F]{40}$/;

export const BridgeStatusIn = z.strictObject({
  /** Only transfers from or to this account: a DID, or an Ethereum address (any case). */
  account: z
    .string()
    .max(64)
    .refine((a) => isValidDid(a) || EthAddress.test(a), 'a did:abt: DID or an Ethereum address (0x and 40 hex digits)')
    .optional(),
  /** The page after this one: the `nextBeforeSeq` of the previous page. */
  beforeSeq: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(BRIDGE_LIMITS.pageMax).default(BRIDGE_LIMITS.pageDefault),
});

const Direction = z.enum(['toEthereum', 'toLedger']);

export const BridgeTransferOut = z.object({
  seq: z.number(),
  direction: Direction,
  /** The lock id (0x and the lock transaction's hash), or the burn (`0x<tx hash>:<log index>`). */
  sourceId: z.string(),
  amount: Amount,
  /** A DID and an Ethereum address (lower case), in the direction's order. */
  from: z.string(),
  to: z.string(),
  status: z.enum(['locked', 'minting', 'minted', 'burned', 'releasing', 'released', 'refused', 'reorged', 'failed']),
  /** Why a transfer is refused, failed or waiting (the last refusal), else null. */
  reason: z.string().nullable(),
  /** The mint's or the burn's Ethereum transaction, and the lock's or the release's ledger transaction. */
  ethTxHash: z.string().nullable(),
  ledgerTxHash: z.string().nullable(),
  /** Of the mint (toEthereum) or the burn (toLedger); the transfer is done at `confirmationsRequired`. */
  confirmations: z.number(),
  confirmationsRequired: z.number(),
  createdAtMs: z.number(),
  updatedAtMs: z.number(),
});

const Flow = z.object({ count: z.number(), amount: Amount });

export const BridgeStatusOut = z.object({
  contract: z.string(),
  /** CAIP-2, e.g. eip155:1. */
  chainId: z.string(),
  confirmations: z.number(),
  /** The Ethereum block the Ethereum figures were read at. */
  ethereumBlock: z.number(),
  signers: z.object({
    /** The chain's bridgeSigners (approve releases) and the contract's signer set (sign mints), each with its threshold. */
    ledger: z.object({ dids: z.array(z.string()), threshold: z.number() }),
    ethereum: z.object({ addresses: z.array(z.string()), threshold: z.number() }),
    /** The signers this node runs, each a blocklet (`/b/<blocklet>/`; in production, none or one). */
    local: z.array(z.object({ blocklet: z.string(), did: z.string(), ethAddress: z.string() })),
  }),
  /**
   * The relayer blocklet, which carries the signatures to the contract and to the ledger and holds no authority: its
   * Ethereum address pays the mints' gas, its DID the releases' fees.
   */
  relayer: z.object({ blocklet: z.string(), did: z.string(), ethAddress: z.string() }),
  /** ABT in the escrow account, and the ERC-20's supply. */
  escrowDid: z.string(),
  locked: Amount,
  totalSupply: Amount,
  /**
   * Moving: locked on the ledger and not minted; burned on Ethereum and not released (including burns not yet
   * `confirmations` deep). Stuck: will not move without an operator (failed) or ever (a burn to a non-DID).
   * escrow = totalSupply + toEthereum (moving + stuck) + toLedger (moving + stuck): a lock fills the escrow before its
   * mint, a burn lowers the supply before its release empties the escrow.
   */
  inFlight: z.object({ toEthereum: Flow, toLedger: Flow }),
  stuck: z.object({ toEthereum: Flow, toLedger: Flow }),
  /** Burns on Ethereum the relayer has not recorded yet (not deep enough), newest first: "k of N confirmations". */
  unconfirmedBurns: z.array(
    z.object({ sourceId: z.string(), from: z.string(), to: z.string(), amount: Amount, confirmations: z.number(), ethTxHash: z.string() }),
  ),
  transfers: z.array(BridgeTransferOut),
  nextBeforeSeq: z.number().nullable(),
});

export type BridgeStatus = z.infer<typeof BridgeStatusOut>;
export type BridgeStatusQuery = z.infer<typeof BridgeStatusIn>;
