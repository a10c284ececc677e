import { type OcapBlock, OcapError, type OcapTx } from '@arc/core';
import { getAddress, isError } from 'ethers';

/** eth_getBlockBy* as the node sends it (hashes only, or full transactions). */
export interface RpcBlock<T = string> {
  number: string;
  hash: string;
  parentHash: string;
  timestamp: string;
  baseFeePerGas?: string;
  transactions: T[];
}

export interface RpcTransaction {
  hash: string;
  from: string;
  to: string | null;
  value: string;
  nonce: string;
  blockHash: string | null;
  blockNumber: string | null;
  transactionIndex: string | null;
}

export interface RpcLog {
  address: string;
  topics: string[];
  data: string;
  logIndex: string;
  transactionIndex: string;
  transactionHash: string;
}

export interface RpcReceipt {
  transactionHash: string;
  transactionIndex: string;
  status?: string;
  gasUsed: string;
  effectiveGasPrice?: string;
  blockNumber: string;
  blockHash: string;
  logs: RpcLog[];
}

const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const HEX_HASH = /^0x[0-9a-fA-F]{64}$/;

/** Checksummed addresses remembered, so a repeated address costs no keccak; the cache is emptied when full. */
export const ADDRESS_CACHE_MAX = 10_000;
/** Input form → EIP-55 form, or null for a string that is not a valid address (a bad mixed-case checksum). */
const checksums = new Map<string, string | null>();

/** The EIP-55 form of a 0x-prefixed 20-byte hex string, null when its mixed case is not a valid checksum. */
function checksumOf(address: string): string | null {
  let checksummed = checksums.get(address);
  if (checksummed !== undefined) return checksummed;
  try {
    checksummed = getAddress(address);
  } catch (error) {
    // ethers throws only for a bad checksum here (the shape was checked): that address is invalid.
    if (!isError(error, 'INVALID_ARGUMENT')) throw error;
    checksummed = null;
  }
  if (checksums.size >= ADDRESS_CACHE_MAX) checksums.clear();
  checksums.set(address, checksummed);
  return checksummed;
}

/** True for a 0x-prefixed 20-byte address whose mixed case, if any, is a valid EIP-55 checksum. */
export function isEthereumAddress(address: unknown): address is string {
  return typeof address === 'string' && HEX_ADDRESS.test(address) && checksumOf(address) !== null;
}

/** The EIP-55 form of an address the node sent (always well formed, usually lowercase). */
export function checksumAddress(address: string): string {
  return checkAddress(address, 'address from the node');
}

/** The EIP-55 checksummed form of a valid address; INVALID_ADDRESS (naming `what`) otherwise. */
export function checkAddress(address: unknown, what = 'address'): string {
  const checksummed = typeof address === 'string' && HEX_ADDRESS.test(address) ? checksumOf(address) : null;
  if (checksummed === null) {
    throw new OcapError(
      'INVALID_ADDRESS',
      `${what} ${JSON.stringify(address)} is not an Ethereum address (0x and 40 hex digits, valid EIP-55 case).`,
    );
  }
  return checksummed;
}

/** A 32-byte 0x hash, lowercased; INVALID_ARGUMENT otherwise. */
export function checkHash(hash: unknown, what = 'hash'): string {
  if (typeof hash !== 'string' || !HEX_HASH.test(hash)) {
    throw new OcapError('INVALID_ARGUMENT', `${what} ${JSON.stringify(hash)} is not a 32-byte hex hash (0x and 64 hex digits).`);
  }
  return hash.toLowerCase();
}

/** A positive amount below 2^256; INVALID_ARGUMENT otherwise. */
export function checkAmount(amount: unknown): bigint {
  if (typeof amount !== 'bigint' || amount <= 0n || amount >= 1n << 256n) {
    throw new OcapError('INVALID_ARGUMENT', `The amount must be a bigint above 0 and below 2^256, got ${String(amount)}.`);
  }
  return amount;
}

export function toHex(value: number | bigint): string {
  return `0x${value.toString(16)}`;
}

export function fromHex(value: string | null | undefined): number {
  return value ? Number.parseInt(value, 16) : 0;
}

export function fromHexBig(value: string | null | undefined): bigint {
  return value ? BigInt(value) : 0n;
}

/** The OCAP view of a block header. */
export function toOcapBlock(block: RpcBlock<string | RpcTransaction>): OcapBlock {
  return {
    height: fromHex(block.number),
    hash: block.hash,
    parentHash: block.parentHash,
    timestampMs: fromHex(block.timestamp) * 1000,
    txHashes: block.transactions.map((tx) => (typeof tx === 'string' ? tx : tx.hash)),
  };
}

/** What a transaction says of itself, before its receipt: from the node, or from what this adapter sent. */
export type TxBase = Pick<OcapTx, 'hash' | 'from' | 'to' | 'value'>;

export function txBase(tx: RpcTransaction): TxBase {
  return { hash: tx.hash, from: checksumAddress(tx.from), to: tx.to ? checksumAddress(tx.to) : null, value: fromHexBig(tx.value) };
}

/** The OCAP view of a transaction, its receipt (null while pending) and the current head height. */
export function toOcapTx(base: TxBase, receipt: RpcReceipt | null, headHeight: number): OcapTx {
  if (!receipt) return { ...base, status: 'pending', fee: null, blockHeight: null, blockHash: null, confirmations: 0 };
  const height = fromHex(receipt.blockNumber);
  const failed = receipt.status !== undefined && fromHex(receipt.status) === 0;
  // Pre-London receipts have no effectiveGasPrice; every transaction of ours is EIP-1559, where it is required.
  const fee = receipt.effectiveGasPrice === undefined ? null : fromHexBig(receipt.gasUsed) * fromHexBig(receipt.effectiveGasPrice);
  return {
    ...base,
    status: failed ? 'failed' : 'success',
    fee,
    blockHeight: height,
    blockHash: receipt.blockHash,
    confirmations: Math.max(0, headHeight - height + 1),
    ...(failed ? { error: 'execution reverted' } : {}),
  };
}

/** Parses `<contract>:<tokenId>` (tokenId decimal or 0x hex) into the checksummed contract and the id. */
export function parseAssetId(asset: unknown): { contract: string; tokenId: bigint } {
  const text = typeof asset === 'string' ? asset : '';
  const colon = text.lastIndexOf(':');
  const idText = text.slice(colon + 1);
  if (colon <= 0 || !/^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/.test(idText)) {
    throw new OcapError('INVALID_ARGUMENT', `${JSON.stringify(asset)} is not an Ethereum asset id; write <contract address>:<token id>.`);
  }
  const tokenId = BigInt(idText);
  if (tokenId >= 1n << 256n) throw new OcapError('INVALID_ARGUMENT', `Token id ${idText} does not fit in 256 bits.`);
  return { contract: checkAddress(text.slice(0, colon), 'asset contract'), tokenId };
}

/** The canonical asset id: checksummed contract, decimal token id. */
export function formatAssetId(contract: string, tokenId: bigint): string {
  return `${checksumAddress(contract)}:${tokenId.toString(10)}`;
}
