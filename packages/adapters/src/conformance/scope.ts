import type { ChainAdapter, OcapSigner, OcapTx } from '@arc/core';
import type { ConformanceApi, ConformanceHarness } from './harness.ts';

/** What every group of checks shares: the registration call, the live harness and a few helpers on it. */
export interface SuiteScope {
  it: ConformanceApi['it'];
  /** The harness, available once the suite's beforeAll ran (inside checks only). */
  h(): ConformanceHarness;
  a(): ChainAdapter;
  /** A new signer with no funds. */
  fresh(): OcapSigner;
  /** Mines one block and waits for the transaction's first confirmation. */
  confirm(hash: string): Promise<OcapTx>;
  /** A new signer holding `amount` of native coin, confirmed. */
  funded(amount: bigint): Promise<OcapSigner>;
  pollMs: number;
  waitMs: number;
  parallelSends: number;
}

/** Polls `condition` every 20 ms until it holds, throwing after `timeoutMs` with what was awaited. */
export async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
