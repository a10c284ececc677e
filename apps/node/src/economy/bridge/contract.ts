import { ArcBridgedAbt, type BridgeBurned, type EthereumNative, parseBridgeBurned } from '@arc/adapters';
import type { ChainAdapter } from '@arc/core';
import { getAddress, Interface, zeroPadValue } from 'ethers';
import { NodeError } from '../../errors.ts';

/** A log as eth_getTransactionReceipt and eth_getLogs answer it (hex quantities). */
interface RpcLog {
  address: string;
  topics: string[];
  data: string;
  logIndex: string;
  transactionHash: string;
  blockNumber: string;
  blockHash: string;
}

/** The parts of a receipt the bridge reads. */
export interface RpcReceipt {
  status: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  logs: RpcLog[];
}

/** Where something sits on Ethereum and how deep it is. */
export interface Included {
  txHash: string;
  block: number;
  confirmations: number;
}

const bridgeInterface = new Interface(ArcBridgedAbt.abi);
const MINTED_TOPIC = bridgeInterface.getEvent('BridgeMinted')?.topicHash as string;
const BURNED_TOPIC = bridgeInterface.getEvent('BridgeBurned')?.topicHash as string;

const hex = (n: number) => `0x${n.toString(16)}`;

/**
 * The bridge contract as the bridge reads and writes it, through the chain's OCAP adapter (level 3, `native`: raw
 * JSON-RPC and the ethers provider). Every log is taken from this contract's address only: any contract can emit a
 * look-alike event.
 */
export class BridgeContract {
  readonly address: string;
  #chainId: bigint | undefined;
  #signerSet: { addresses: string[]; threshold: number } | undefined;

  constructor(
    readonly adapter: ChainAdapter<EthereumNative>,
    address: string,
  ) {
    this.address = getAddress(address);
  }

  #call<T>(method: string, params: unknown[] = []): Promise<T> {
    return this.adapter.native.call<T>(method, params);
  }

  /** A view call at a block (`atBlock`) or at the head. */
  async #view<T>(fn: string, args: unknown[] = [], atBlock?: number): Promise<T> {
    const data = bridgeInterface.encodeFunctionData(fn, args);
    const result = await this.#call<string>('eth_call', [{ to: this.address, data }, atBlock === undefined ? 'latest' : hex(atBlock)]);
    return bridgeInterface.decodeFunctionResult(fn, result)[0] as T;
  }

  async chainId(): Promise<bigint> {
    this.#chainId ??= BigInt(await this.#call<string>('eth_chainId'));
    return this.#chainId;
  }

  async head(): Promise<number> {
    return Number(BigInt(await this.#call<string>('eth_blockNumber')));
  }

  minted(lockId: string, atBlock?: number): Promise<boolean> {
    return this.#view<boolean>('minted', [lockId], atBlock);
  }

  totalSupply(atBlock?: number): Promise<bigint> {
    return this.#view<bigint>('totalSupply', [], atBlock);
  }

  /** The contract's fixed signer set and threshold (read once: they never change). */
  async signerSet(): Promise<{ addresses: string[]; threshold: number }> {
    if (!this.#signerSet) {
      const code = await this.#call<string>('eth_getCode', [this.address, 'latest']);
      if (code === '0x')
        throw new NodeError('NOT_FOUND', `There is no contract at ${this.address}: deploy ArcBridgedAbt or fix the address.`);
      const [addresses, threshold] = await Promise.all([this.#view<string[]>('signers'), this.#view<bigint>('threshold')]);
      this.#signerSet = { addresses: [...addresses], threshold: Number(threshold) };
    }
    return this.#signerSet;
  }

  /** A transaction's receipt on the canonical chain, or null (unknown, pending, or its block was reorganised away). */
  async canonicalReceipt(txHash: string): Promise<RpcReceipt | null> {
    const receipt = await this.#call<RpcReceipt | null>('eth_getTransactionReceipt', [txHash]);
    if (!receipt?.blockHash) return null;
    const block = await this.#call<{ hash: string } | null>('eth_getBlockByNumber', [receipt.blockNumber, false]);
    return block?.hash === receipt.blockHash ? receipt : null;
  }

  /** Whether the node knows the transaction at all (mined or waiting in its mempool). */
  async known(txHash: string): Promise<boolean> {
    return (await this.#call<unknown>('eth_getTransactionByHash', [txHash])) !== null;
  }

  /** The BridgeBurned logs of this contract in a receipt (with their log indexes). */
  burnsOf(receipt: RpcReceipt): BridgeBurned[] {
    return receipt.logs.flatMap((log) => {
      const burned = parseBridgeBurned(
        {
          address: log.address,
          topics: log.topics,
          data: log.data,
          transactionHash: log.transactionHash,
          index: Number(BigInt(log.logIndex)),
          blockNumber: Number(BigInt(log.blockNumber)),
        },
        this.address,
      );
      return burned ? [burned] : [];
    });
  }

  /** Confirmations of a block at `block` (the block itself counts one). */
  async depth(block: number): Promise<number> {
    return Math.max(0, (await this.head()) - block + 1);
  }

  /** Where the mint of `lockId` was included (by its recorded transaction first, else by its BridgeMinted log). */
  async mintOf(lockId: string, txHash: string | null, fromBlock: number): Promise<Included | null> {
    if (txHash) {
      const receipt = await this.canonicalReceipt(txHash);
      if (receipt && BigInt(receipt.status) === 1n) return this.#included(txHash, Number(BigInt(receipt.blockNumber)));
    }
    const logs = await this.#call<RpcLog[]>('eth_getLogs', [
      { address: this.address, fromBlock: hex(fromBlock), toBlock: 'latest', topics: [MINTED_TOPIC, zeroPadValue(lockId, 32)] },
    ]);
    const log = logs[0];
    return log ? this.#included(log.transactionHash, Number(BigInt(log.blockNumber))) : null;
  }

  async #included(txHash: string, block: number): Promise<Included> {
    return { txHash: txHash.toLowerCase(), block, confirmations: await this.depth(block) };
  }

  /** Burns in blocks fromBlock..toBlock (for the status: the ones not deep enough to be relayed yet). */
  async burnsBetween(fromBlock: number, toBlock: number): Promise<BridgeBurned[]> {
    if (toBlock < fromBlock) return [];
    const logs = await this.#call<RpcLog[]>('eth_getLogs', [
      { address: this.address, fromBlock: hex(fromBlock), toBlock: hex(toBlock), topics: [BURNED_TOPIC] },
    ]);
    return this.burnsOf({ status: '0x1', blockNumber: '0x0', blockHash: '', transactionHash: '', logs });
  }
}
