import { isOcapError, OcapError } from '@arc/core';
import { fromHexBig, type RpcBlock } from './convert.ts';
import type { EthereumRpc } from './rpc.ts';

/** Fees older than this are refreshed in the background while sends keep using them. */
export const FEE_REFRESH_MS_DEFAULT = 5_000;
/** Fees older than this are never used: the send waits for fresh ones. */
export const FEE_MAX_AGE_MS = 60_000;
/** The tip used when the node has no eth_maxPriorityFeePerGas. */
export const PRIORITY_FEE_FALLBACK_WEI = 1_000_000_000n;

/** EIP-1559 fee parameters for the next block. */
export interface FeeData {
  baseFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  /** Twice the base fee plus the tip: room for six full blocks of base-fee growth. */
  maxFeePerGas: bigint;
}

/**
 * Caches fee data so a send costs no fee round trip: stale data is served while one refresh runs in the
 * background, and data past FEE_MAX_AGE_MS is awaited fresh. `refresh()` forces a fetch (after FEE_TOO_LOW).
 */
export class FeeCache {
  #data: FeeData | undefined;
  #fetchedAtMs = 0;
  #inFlight: Promise<FeeData> | undefined;

  constructor(
    readonly rpc: EthereumRpc,
    readonly refreshMs: number = FEE_REFRESH_MS_DEFAULT,
  ) {}

  async current(): Promise<FeeData> {
    const ageMs = Date.now() - this.#fetchedAtMs;
    if (this.#data && ageMs < FEE_MAX_AGE_MS) {
      if (ageMs >= this.refreshMs && !this.#inFlight) {
        // Background refresh: a failure here is retried by the next send; the cached data stays usable.
        this.refresh().catch(() => undefined);
      }
      return this.#data;
    }
    return this.refresh();
  }

  refresh(): Promise<FeeData> {
    this.#inFlight ??= this.#fetch().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #fetch(): Promise<FeeData> {
    const [block, tip] = await Promise.all([
      this.rpc.call<RpcBlock | null>('eth_getBlockByNumber', ['latest', false]),
      this.rpc.call<string>('eth_maxPriorityFeePerGas', []).catch((error: unknown) => {
        if (isOcapError(error) && error.retriable) throw error;
        return `0x${PRIORITY_FEE_FALLBACK_WEI.toString(16)}`;
      }),
    ]);
    if (!block?.baseFeePerGas) {
      throw new OcapError(
        'INTERNAL',
        'The node reports no base fee: this adapter sends EIP-1559 transactions and needs a London-or-later chain.',
      );
    }
    const baseFeePerGas = fromHexBig(block.baseFeePerGas);
    const maxPriorityFeePerGas = fromHexBig(tip);
    const data = { baseFeePerGas, maxPriorityFeePerGas, maxFeePerGas: baseFeePerGas * 2n + maxPriorityFeePerGas };
    this.#data = data;
    this.#fetchedAtMs = Date.now();
    return data;
  }
}
