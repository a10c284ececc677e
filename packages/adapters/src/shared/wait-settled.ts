import { isOcapError, OcapError, type OcapTx } from '@arc/core';

export interface WaitSettledOptions {
  /** The transaction's id as the caller named it (for the timeout's sentence). */
  id: string;
  chainId: string | undefined;
  confirmations: number;
  timeoutMs: number;
  pollMs: number;
  /** Reads the transaction; NOT_FOUND means "not seen yet" and is waited on, any other error ends the wait. */
  read: () => Promise<OcapTx>;
  /** Before each read, a wait the adapter knows ends sooner than a poll (its own send's commit), bounded by `leftMs`. */
  beforeRead?: (leftMs: number) => Promise<void>;
}

/**
 * `waitForTransaction` for adapters that learn a transaction's fate by reading it again: until it is settled (not
 * pending) with enough confirmations, polling every `pollMs`; TIMEOUT past `timeoutMs`.
 */
export async function waitSettled(options: WaitSettledOptions): Promise<OcapTx> {
  const { id, chainId, confirmations, timeoutMs, pollMs, read, beforeRead } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await beforeRead?.(deadline - Date.now());
    try {
      const tx = await read();
      if (tx.status !== 'pending' && tx.confirmations >= confirmations) return tx;
    } catch (error) {
      if (!isOcapError(error, 'NOT_FOUND')) throw error;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new OcapError('TIMEOUT', `Transaction ${id} did not reach ${confirmations} confirmation(s) within ${timeoutMs} ms.`, {
        chainId,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, left)));
  }
}
