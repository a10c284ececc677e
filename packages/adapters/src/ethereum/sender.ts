import { isOcapError, type SendResult } from '@arc/core';
import { keccak256, Transaction, type Wallet } from 'ethers';
import { NonceManager } from '../shared/serial.ts';
import { fromHex, type RpcTransaction } from './convert.ts';
import type { FeeCache, FeeData } from './fees.ts';
import type { EthereumRpc } from './rpc.ts';
import { type SentTx, SentTxs } from './sent-txs.ts';

/** Gas of a plain value transfer to an account without code. */
export const TRANSFER_GAS = 21_000n;
/** A send is tried at most this often: once more with fresh fees after FEE_TOO_LOW, or a fresh nonce after NONCE_TOO_LOW. */
export const SEND_ATTEMPTS_MAX = 2;

/** What the adapter asks to be sent: everything but the nonce and the fees. */
export interface SendCall {
  to: string;
  value: bigint;
  data: string;
  gasLimit: bigint;
}

/**
 * Signs and broadcasts transactions, one signer at a time in nonce order: the first nonce comes from the
 * node's pending count, later ones are counted locally, fees come from the cache. A send costs one round trip
 * (eth_sendRawTransaction) once the signer's nonce and the fees are known.
 *
 * A reorg can drop sent transactions (anvil drops them; geth returns them to its mempool), which leaves the local
 * count ahead of the chain: every later send would sit queued behind the gap. So the sender keeps what it sent
 * (bounded) and, after a reorg or when a sent transaction went missing or sits behind a gap, resyncs the signer:
 * the dropped transactions are sent again as they were (same hash, so callers' waits still finish) and the next
 * nonce is asked from the node again.
 */
export class TransactionSender {
  readonly nonces = new NonceManager();
  readonly sent = new SentTxs();
  /** Signers whose nonce count may be wrong: resynced before their next send. */
  readonly #stale = new Set<string>();

  constructor(
    readonly rpc: EthereumRpc,
    readonly fees: FeeCache,
  ) {}

  send(wallet: Wallet, call: SendCall): Promise<SendResult> {
    const address = wallet.address;
    // Fees are fetched outside the per-signer queue, so a cold cache does not hold up other signers' sends.
    const feesReady = this.fees.current();
    feesReady.catch(() => undefined); // Awaited inside the queue; this only keeps an early failure from going unhandled.
    return this.nonces.serial.run(address, async () => {
      if (this.#stale.has(address)) await this.#resync(address);
      const nonce = await this.nonces.take(address, () => this.#pendingCount(address));
      try {
        return await this.#signAndSend(wallet, call, nonce, await feesReady);
      } catch (error) {
        this.nonces.reset(address);
        throw error;
      }
    });
  }

  /** The chain may have reorganised: every signer with sent transactions is resynced now, in the background. */
  reorged(): void {
    for (const address of this.sent.signers()) {
      this.#stale.add(address);
      // A failure leaves the signer stale: its next send resyncs again before taking a nonce.
      this.nonces.serial.run(address, () => this.#resyncIfStale(address)).catch(() => undefined);
    }
  }

  /**
   * Called while a wait finds a transaction this sender sent missing or still pending: when the node lost it, or
   * holds it behind a nonce gap (its pending count stops below it), the signer is resynced.
   */
  async recover(hash: string): Promise<void> {
    const tx = this.sent.byHash(hash);
    if (!tx) return;
    const [known, pending] = await Promise.all([
      this.rpc.call<RpcTransaction | null>('eth_getTransactionByHash', [tx.hash]),
      this.#pendingCount(tx.from),
    ]);
    if (known && pending > tx.nonce) return;
    this.#stale.add(tx.from);
    await this.nonces.serial.run(tx.from, () => this.#resyncIfStale(tx.from));
  }

  async #resyncIfStale(address: string): Promise<void> {
    if (this.#stale.has(address)) await this.#resync(address);
  }

  /** Sends again, in nonce order, the kept transactions the node no longer knows; the next nonce is asked anew. */
  async #resync(address: string): Promise<void> {
    const pending = await this.#pendingCount(address);
    const candidates = this.sent.of(address).filter((tx) => tx.nonce >= pending);
    const known = await Promise.all(candidates.map((tx) => this.rpc.call<RpcTransaction | null>('eth_getTransactionByHash', [tx.hash])));
    for (const [index, tx] of candidates.entries()) {
      if (known[index]) continue;
      try {
        await this.rpc.call<string>('eth_sendRawTransaction', [tx.raw]);
      } catch (error) {
        if (isOcapError(error, 'KNOWN_TRANSACTION')) continue;
        // The node is unreachable or busy: the signer stays stale and the next send or wait tries again.
        if (!isOcapError(error) || error.retriable) throw error;
        // Not sendable any more (its nonce was taken by another transaction, funds or fees changed with the
        // reorg): it is lost, as the reorg left it. The gap it leaves is filled by the signer's next send, which
        // takes the node's pending count; the caller's wait on it reports it unknown to the node.
        this.sent.forget(tx);
      }
    }
    this.nonces.reset(address);
    this.#stale.delete(address);
  }

  async #pendingCount(address: string): Promise<number> {
    return fromHex(await this.rpc.call<string>('eth_getTransactionCount', [address, 'pending']));
  }

  async #signAndSend(wallet: Wallet, call: SendCall, firstNonce: number, firstFees: FeeData) {
    const address = wallet.address;
    let nonce = firstNonce;
    let fees = firstFees;
    for (let attempt = 1; ; attempt += 1) {
      const tx = Transaction.from({
        type: 2,
        chainId: this.rpc.chainId,
        nonce,
        to: call.to,
        value: call.value,
        data: call.data,
        gasLimit: call.gasLimit,
        maxFeePerGas: fees.maxFeePerGas,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      });
      tx.signature = wallet.signingKey.sign(tx.unsignedHash);
      // Serialized once: ethers' `tx.hash` would serialize it again to hash it.
      const raw = tx.serialized;
      const sent: SentTx = { hash: keccak256(raw), from: address, nonce, to: call.to, value: call.value, raw };
      try {
        await this.rpc.call<string>('eth_sendRawTransaction', [sent.raw]);
        this.sent.add(sent);
        return { hash: sent.hash, from: address, nonce };
      } catch (error) {
        // The node holds exactly this transaction already (a retried request): it is sent.
        if (isOcapError(error, 'KNOWN_TRANSACTION')) {
          this.sent.add(sent);
          return { hash: sent.hash, from: address, nonce };
        }
        if (attempt >= SEND_ATTEMPTS_MAX) throw error;
        if (isOcapError(error, 'FEE_TOO_LOW')) {
          fees = await this.fees.refresh();
        } else if (isOcapError(error, 'NONCE_TOO_LOW')) {
          // The key was used elsewhere: ask the node again and continue counting from there.
          this.nonces.reset(address);
          nonce = await this.nonces.take(address, () => this.#pendingCount(address));
        } else {
          throw error;
        }
      }
    }
  }
}
