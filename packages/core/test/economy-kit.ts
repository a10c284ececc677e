import {
  checkTx,
  emptyStake,
  encodeTx,
  type Itx,
  LedgerError,
  type LedgerErrorCode,
  type PublishComponentTx,
  type StakeState,
} from '../src/index.ts';
import { type Actor, CHAIN_ID, ECONOMY, expectRefused, PARAMS, signedTx, type TestChain, type TxOptions } from './ledger-kit.ts';

/** Applies and expects a refusal with `code` (and a message matching `text`): rejected, or included as failed (fee only). */
export function rejects(
  chain: TestChain,
  from: Actor,
  itx: Itx,
  code: LedgerErrorCode,
  text?: RegExp,
  opts: Partial<TxOptions> = {},
): LedgerError {
  return expectRefused(chain, chain.build(from, itx, opts), code, text);
}

/** The stateless verdict on a transaction (checkTx), or null when it passes. */
export function checkError(from: Actor, itx: Itx): LedgerErrorCode | null {
  const result = checkTx(encodeTx(signedTx(from, itx, { nonce: 1 })), { chainId: CHAIN_ID, params: PARAMS });
  return result instanceof LedgerError ? result.code : null;
}

/** The newest billing period that has ended by the next block of `chain`. */
export function lastEndedPeriod(chain: TestChain): number {
  return Math.floor(chain.timeMs() / ECONOMY.billingPeriodMs) - 1;
}

/** Bonded, unbonding and slashed of an account (zeros when it never staked). */
export function stakeOf(chain: TestChain, who: Actor | string): StakeState {
  const did = typeof who === 'string' ? who : who.did;
  return chain.state.stake(did) ?? emptyStake(did);
}

/** A free component with the given beneficiaries. */
export function publishItx(name: string, beneficiaries: PublishComponentTx['beneficiaries']): PublishComponentTx {
  return {
    type: 'publishComponent',
    kind: 'blocklet',
    name,
    version: '1.0.0',
    description: 'a component that bills by use',
    manifestHash: new Uint8Array(32).fill(1),
    bundleHash: new Uint8Array(32).fill(2),
    readmeHash: new Uint8Array(32).fill(3),
    releaseNotes: '',
    categories: ['tools'],
    chains: ['arc'],
    price: { model: 'free', amount: 0n },
    beneficiaries,
  };
}
