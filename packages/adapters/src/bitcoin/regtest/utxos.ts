import { type Coin, outpointKey, toHex } from './consensus.ts';

/** The confirmed unspent outputs (the chainstate), by outpoint and by locking script (scantxoutset's index). */
export class UtxoSet {
  readonly #coins = new Map<string, Coin>();
  readonly #byScript = new Map<string, Set<string>>();

  get size(): number {
    return this.#coins.size;
  }

  /** The coin at `txid:vout` (outpointKey), if unspent. */
  get(key: string): Coin | undefined {
    return this.#coins.get(key);
  }

  /** Confirmed unspent outputs locked by `script`. */
  lockedBy(script: Uint8Array): Coin[] {
    const keys = this.#byScript.get(toHex(script)) ?? new Set<string>();
    return [...keys].map((key) => this.#coins.get(key) as Coin);
  }

  add(coin: Coin): void {
    const key = outpointKey(coin.txid, coin.vout);
    this.#coins.set(key, coin);
    const scriptHex = toHex(coin.script);
    const keys = this.#byScript.get(scriptHex) ?? new Set<string>();
    keys.add(key);
    this.#byScript.set(scriptHex, keys);
  }

  remove(key: string, coin: Coin): void {
    this.#coins.delete(key);
    const scriptHex = toHex(coin.script);
    const keys = this.#byScript.get(scriptHex);
    keys?.delete(key);
    if (keys?.size === 0) this.#byScript.delete(scriptHex);
  }
}
