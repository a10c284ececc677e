import { ArcBridgedAbt } from '@arc/adapters';
import { Interface, isError } from 'ethers';
import type { BridgeFaults, BridgeStep } from '../../src/economy/bridge/options.ts';

/** What the bridge tests share: a contract call's revert reason, a burn they made, a relayer that crashes. */

const bridgeErrors = new Interface(ArcBridgedAbt.abi);

/** The custom error a bridge call reverted with (its name), or a failure when it did not revert. */
export async function revertName(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    const parsed = isError(error, 'CALL_EXCEPTION') && error.data ? bridgeErrors.parseError(error.data) : null;
    if (parsed) return parsed.name;
    throw error;
  }
  throw new Error('expected the call to revert');
}

export interface Burn {
  txHash: string;
  logIndex: number;
  amount: bigint;
}

/** Fault hooks that stop the relayer at `step` and at every step after (a crashed process does nothing more). */
export function crashAt(step: BridgeStep): { faults: BridgeFaults; crashed: () => boolean } {
  let crashed = false;
  return {
    crashed: () => crashed,
    faults: (at) => {
      if (crashed) throw new Error('the relayer crashed (test)');
      if (at === step) {
        crashed = true;
        throw new Error(`the relayer crashed after ${step} (test)`);
      }
    },
  };
}
