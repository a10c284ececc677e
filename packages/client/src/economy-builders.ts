import {
  type Approval,
  approvalDigest,
  type BridgeLockTx,
  type BridgeReleaseTx,
  type BurnTokenTx,
  didFromPublicKey,
  type EconomyItx,
  type FundApplicationTx,
  type IssueTokenTx,
  keyPairFromSeed,
  type MintTokenTx,
  type OpenApplicationTx,
  openApplicationDigest,
  type SlashTx,
  type StakeTx,
  signMessage,
  type TokenPolicy,
  type UnstakeTx,
  type WithdrawDepositTx,
  type WithdrawStakeTx,
} from '@arc/core';

/** Builders for the token economy's inner transactions (staking, application billing, token policies, the bridge). */

/** Locks ABT as bonded stake. */
export function stake(input: { amount: bigint }): StakeTx {
  return { type: 'stake', amount: input.amount };
}

/** Starts unbonding stake; withdrawStake moves it back once the chain's unbonding delay has passed. */
export function unstake(input: { amount: bigint }): UnstakeTx {
  return { type: 'unstake', amount: input.amount };
}

export function withdrawStake(): WithdrawStakeTx {
  return { type: 'withdrawStake' };
}

/**
 * The consent an application's key gives to billing under `owner` on `chainId`: sign it where the application's key
 * lives (its server), and hand the signature to the owner's openApplication.
 */
export function signApplicationConsent(
  applicationSeed: Uint8Array,
  chainId: string,
  owner: string,
): { application: string; applicationKey: Uint8Array; applicationSignature: Uint8Array } {
  const keys = keyPairFromSeed(applicationSeed);
  const application = didFromPublicKey(keys.publicKey);
  return {
    application,
    applicationKey: keys.publicKey,
    applicationSignature: signMessage(keys.secretKey, openApplicationDigest(chainId, application, owner)),
  };
}

/**
 * The same consent as signApplicationConsent, signed by a key that keeps its secret (a Wallet, e.g. one account of a
 * browser wallet): `app` signs the open-application digest of its own DID under `owner` on `chainId`.
 */
export function applicationConsent(
  app: { did: string; publicKey: Uint8Array; sign(message: Uint8Array): Uint8Array },
  chainId: string,
  owner: string,
): { application: string; applicationKey: Uint8Array; applicationSignature: Uint8Array } {
  return {
    application: app.did,
    applicationKey: app.publicKey,
    applicationSignature: app.sign(openApplicationDigest(chainId, app.did, owner)),
  };
}

/** Opens billing for an application with a first deposit (the application's consent from signApplicationConsent). */
export function openApplication(input: {
  application: string;
  applicationKey: Uint8Array;
  applicationSignature: Uint8Array;
  deposit: bigint;
}): OpenApplicationTx {
  return { type: 'openApplication', ...input };
}

export function fundApplication(input: { application: string; amount: bigint }): FundApplicationTx {
  return { type: 'fundApplication', application: input.application, amount: input.amount };
}

export function withdrawDeposit(input: { application: string; amount: bigint }): WithdrawDepositTx {
  return { type: 'withdrawDeposit', application: input.application, amount: input.amount };
}

/** An application token with a supply policy: fixed, mintable by its owner, or capped. */
export function issueToken(input: {
  symbol: string;
  name: string;
  decimals?: number;
  initialSupply: bigint;
  policy: TokenPolicy;
  cap?: bigint;
}): IssueTokenTx {
  return {
    type: 'issueToken',
    symbol: input.symbol,
    name: input.name,
    decimals: input.decimals ?? 18,
    initialSupply: input.initialSupply,
    policy: input.policy,
    cap: input.cap ?? 0n,
  };
}

export function mintToken(input: { token: string; to: string; amount: bigint }): MintTokenTx {
  return { type: 'mintToken', token: input.token, to: input.to, amount: input.amount };
}

export function burnToken(input: { token: string; amount: bigint }): BurnTokenTx {
  return { type: 'burnToken', token: input.token, amount: input.amount };
}

/** Locks ABT in the bridge for as much ERC-20 at `ethAddress` (0x and 40 hex digits; lower-cased here). */
export function bridgeLock(input: { amount: bigint; ethAddress: string }): BridgeLockTx {
  return { type: 'bridgeLock', amount: input.amount, ethAddress: input.ethAddress.toLowerCase() };
}

/** One threshold member's approval of a slash or a bridge release (sign where the member's key lives). */
export function approve(seed: Uint8Array, chainId: string, itx: SlashTx | BridgeReleaseTx): Approval {
  const keys = keyPairFromSeed(seed);
  return {
    did: didFromPublicKey(keys.publicKey),
    publicKey: keys.publicKey,
    signature: signMessage(keys.secretKey, approvalDigest(chainId, itx as EconomyItx)),
  };
}
