import { randomBytes } from 'node:crypto';
import {
  didFromPublicKey,
  encodeTx,
  type Itx,
  type KeyPair,
  keyPairFromSeed,
  type PublishComponentTx,
  signTx,
  toHex,
  txHash,
  type UnsignedTx,
} from '@arc/core';
import { expect } from 'vitest';
import type { NodeClient } from './client.ts';

export const ABT = 10n ** 18n;
/** The dev genesis' minimum fee. */
export const MIN_FEE = 10n ** 14n;

export interface Signer extends KeyPair {
  did: string;
}

/** A fresh key pair and its DID (an account the chain has never seen). */
export function randomSigner(): Signer {
  const key = keyPairFromSeed(new Uint8Array(randomBytes(32)));
  return { ...key, did: didFromPublicKey(key.publicKey) };
}

export interface SignedTx {
  /** The encoded signed transaction, as tx.send takes it. */
  hex: string;
  bytes: Uint8Array;
  hash: string;
  unsigned: UnsignedTx;
}

export interface SignOptions {
  fee?: bigint;
  payer?: Signer;
  chainId?: string;
}

/** Signs an inner transaction for `signer` at `nonce` (and by the fee payer, when one is named). */
export function signItx(chainId: string, signer: Signer, nonce: number, itx: Itx, options: SignOptions = {}): SignedTx {
  const unsigned: UnsignedTx = {
    chainId: options.chainId ?? chainId,
    from: signer.did,
    publicKey: signer.publicKey,
    nonce,
    fee: options.fee ?? MIN_FEE,
    feePayer: options.payer ? { did: options.payer.did, publicKey: options.payer.publicKey } : null,
    itx,
  };
  const bytes = encodeTx(signTx(unsigned, signer.secretKey, options.payer?.secretKey));
  return { hex: toHex(bytes), bytes, hash: toHex(txHash(bytes)), unsigned };
}

/** An ABT transfer. */
export function transfer(to: string, amount: bigint, memo = ''): Itx {
  return { type: 'transfer', to, amount, tokens: [], assets: [], memo };
}

/**
 * An account the test signs for, which hands out its nonces in order (the way a wallet does that
 * sends without waiting for each commit).
 */
export class Wallet {
  private next: number | null = null;

  constructor(
    readonly client: NodeClient,
    readonly chainId: string,
    readonly signer: Signer,
  ) {}

  get did(): string {
    return this.signer.did;
  }

  /** Reads the next nonce from the chain again (after a transaction that was signed but refused at once). */
  resync(): void {
    this.next = null;
  }

  /** Signs the next transaction without sending it. */
  async sign(itx: Itx, options: SignOptions = {}): Promise<SignedTx> {
    this.next ??= (await this.client.account.get.query({ did: this.did })).nonce + 1;
    return signItx(this.chainId, this.signer, this.next++, itx, options);
  }

  /** Signs and sends; the transaction is admitted (pending or committed). */
  async send(itx: Itx, options: SignOptions = {}): Promise<SignedTx> {
    const tx = await this.sign(itx, options);
    await this.client.tx.send.mutate({ tx: tx.hex });
    return tx;
  }

  /** Signs, sends and waits until the node reports the transaction committed. */
  async commit(itx: Itx, options: SignOptions = {}): Promise<{ tx: SignedTx; height: number }> {
    const tx = await this.send(itx, options);
    return { tx, height: await waitCommitted(this.client, tx.hash) };
  }
}

/** Waits for a transaction and asserts it committed; returns its height. */
export async function waitCommitted(client: NodeClient, hash: string): Promise<number> {
  const status = await client.tx.wait.query({ hash, timeoutMs: 20_000 });
  expect(status, `tx ${hash} ended ${status.status}: ${status.error?.code} ${status.error?.message}`).toMatchObject({
    status: 'committed',
  });
  return status.height as number;
}

/**
 * Sends `itx` and waits until its block refuses it: status `failed` (its fee charged, nothing else happened). Returns
 * the ledger's code.
 */
export async function failedCode(wallet: Wallet, itx: Itx, options: SignOptions = {}): Promise<string> {
  const tx = await wallet.send(itx, options);
  const status = await wallet.client.tx.wait.query({ hash: tx.hash, timeoutMs: 20_000 });
  expect(status.status, `tx ${tx.hash} ended ${status.status}: ${status.error?.code}`).toBe('failed');
  return status.error?.code ?? '';
}

/** A new account funded by `from` with `amount` (committed). */
export async function fundedWallet(from: Wallet, amount: bigint): Promise<Wallet> {
  const wallet = new Wallet(from.client, from.chainId, randomSigner());
  await from.commit(transfer(wallet.did, amount, 'funding'));
  return wallet;
}

/** The ABT balance of an account as a bigint. */
export async function balanceOf(client: NodeClient, did: string): Promise<bigint> {
  return BigInt((await client.account.get.query({ did })).balance);
}

/** The bonded stake each component name needs on the node's chain (params.economy.publishStake). */
export async function publishStakeOf(client: NodeClient): Promise<bigint> {
  return BigInt((await client.chain.info.query()).params.economy.publishStake);
}

/** Sends a stake of what `names` more component names need (admitted; it commits before anything sent after it). */
export async function stakeForNames(wallet: Wallet, names = 1): Promise<SignedTx> {
  return wallet.send({ type: 'stake', amount: BigInt(names) * (await publishStakeOf(wallet.client)) });
}

/** What a publisher does for a new name: bonds the stake for one more name, then publishes it (committed). */
export async function stakeThenPublish(wallet: Wallet, itx: PublishComponentTx): Promise<{ tx: SignedTx; height: number }> {
  await stakeForNames(wallet, 1);
  return wallet.commit(itx);
}
