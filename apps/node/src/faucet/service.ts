import { encodeTx, isDevChain, signTx, type UnsignedTx } from '@arc/core';
import { devKey } from '../config/dev-keys.ts';
import { NodeError } from '../errors.ts';
import type { Admission } from '../ledger/admission.ts';
import type { Ledger } from '../ledger/ledger.ts';

export interface FaucetOptions {
  amount: bigint;
  /** How long a DID waits between two claims. */
  intervalMs: number;
}

/**
 * The development faucet: sends ABT from the well-known faucet account. Off unless the chain id
 * says dev. Claims are rate limited per DID and idempotent by key, both kept in the database.
 */
export class Faucet {
  private readonly key = devKey('faucet');
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ledger: Ledger,
    private readonly admission: Admission,
    readonly options: FaucetOptions,
  ) {}

  get enabled(): boolean {
    return isDevChain(this.ledger.chainId);
  }

  get amount(): bigint {
    return this.options.amount;
  }

  /** Sends the faucet amount to a DID; the same idempotency key returns the first claim. */
  async claim(did: string, idempotencyKey: string | undefined): Promise<{ hash: string; amount: string }> {
    if (!this.enabled) throw new NodeError('FAUCET_DISABLED', `the faucet runs only on dev chains; this is "${this.ledger.chainId}"`);
    // One claim at a time: the faucet account's nonces must be handed out in order (on a cloud node, by one process at
    // a time of all of them).
    const { db } = this.ledger;
    const claim = () => this.claimNow(did, idempotencyKey);
    const run = this.queue.then(() => (this.ledger.queue && db.exclusive ? db.exclusive('arc-faucet', claim) : claim()));
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async claimNow(did: string, idempotencyKey: string | undefined) {
    const db = this.ledger.db;
    const now = this.ledger.options.now();
    const key = idempotencyKey ?? `${did}@${now}`;
    const [previous] = await db.query<{ did: string; tx_hash: string }>(
      'SELECT did, tx_hash FROM faucet_claims WHERE idempotency_key = $1',
      [key],
    );
    if (previous) {
      if (previous.did !== did) throw new NodeError('CONFLICT', 'this idempotency key was used for another DID; use a new key');
      return { hash: previous.tx_hash, amount: this.amount.toString() };
    }
    const [recent] = await db.query<{ at_ms: string | number }>(
      'SELECT at_ms FROM faucet_claims WHERE did = $1 AND at_ms > $2 ORDER BY at_ms DESC LIMIT 1',
      [did, now - this.options.intervalMs],
    );
    if (recent) {
      const waitS = Math.ceil((Number(recent.at_ms) + this.options.intervalMs - now) / 1000);
      throw new NodeError('RATE_LIMITED', `this DID claimed from the faucet recently; try again in ${waitS} s`);
    }
    const nonce = await this.ledger.nextNonce(this.key.did);
    const unsigned: UnsignedTx = {
      chainId: this.ledger.chainId,
      from: this.key.did,
      publicKey: this.key.publicKey,
      nonce,
      fee: this.ledger.params.minFee,
      feePayer: null,
      itx: { type: 'transfer', to: did, amount: this.amount, tokens: [], assets: [], memo: 'faucet' },
    };
    const result = await this.admission.submit(encodeTx(signTx(unsigned, this.key.secretKey)));
    await db.query('INSERT INTO faucet_claims (idempotency_key, did, tx_hash, at_ms) VALUES ($1, $2, $3, $4)', [
      key,
      did,
      result.hash,
      now,
    ]);
    return { hash: result.hash, amount: this.amount.toString() };
  }
}
