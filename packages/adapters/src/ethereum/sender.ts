import { isOcapError, type SendResult } from '@arc/core';
import { Transaction, type Wallet } from 'ethers';
import { NonceManager } from '../shared/serial.ts';
import { fromHex } from './convert.ts';
import type { FeeCache } from './fees.ts';
import type { EthereumRpc } from './rpc.ts';

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
 */
export class TransactionSender {
  readonly nonces = new NonceManager();

  constructor(
    readonly rpc: EthereumRpc,
    readonly fees: FeeCache,
  ) {}

  send(wallet: Wallet, call: SendCall): Promise<SendResult> {
    const address = wallet.address;
    const chainNonce = async () => fromHex(await this.rpc.call<string>('eth_getTransactionCount', [address, 'pending']));
    // Fees are fetched outside the per-signer queue, so a cold cache does not hold up other signers' sends.
    const feesReady = this.fees.current();
    feesReady.catch(() => undefined); // Awaited inside the queue; this only keeps an early failure from going unhandled.
    return this.nonces.send(address, chainNonce, async (firstNonce) => {
      let nonce = firstNonce;
      let fees = await feesReady;
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
        const hash = tx.hash as string;
        try {
          await this.rpc.call<string>('eth_sendRawTransaction', [tx.serialized]);
          return { hash, from: address, nonce };
        } catch (error) {
          // The node holds exactly this transaction already (a retried request): it is sent.
          if (isOcapError(error, 'KNOWN_TRANSACTION')) return { hash, from: address, nonce };
          if (attempt >= SEND_ATTEMPTS_MAX) throw error;
          if (isOcapError(error, 'FEE_TOO_LOW')) {
            fees = await this.fees.refresh();
          } else if (isOcapError(error, 'NONCE_TOO_LOW')) {
            // The key was used elsewhere: ask the node again and continue counting from there.
            this.nonces.reset(address);
            nonce = await this.nonces.take(address, chainNonce);
          } else {
            throw error;
          }
        }
      }
    });
  }
}
