import { type Approval, didFromPublicKey, fromHex, keyPairFromSeed, toHex } from '@arc/core';
import { NodeError } from '../../errors.ts';
import type { Faucet } from '../../faucet/service.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import type { LedgerQueries } from '../../ledger/queries.ts';
import { waitForTx } from '../../ledger/status.ts';
import { deployComponent } from '../../runtime/components/deploy-builtin.ts';
import type { BlockletRuntime } from '../../runtime/service.ts';
import type { BridgeSignerKeys, MintRequest, ReleaseRequest } from './options.ts';
import type { BridgeSignerApi } from './signer.ts';

/** The built-in component every bridge signer runs (apps/node/src/runtime/components/bridge-signer). */
export const SIGNER_COMPONENT = 'bridge-signer';

/** What a signer blocklet answers: `{ ok: true, … }`, or a refusal saying whether asking again may pass. */
type SignerAnswer<T> = ({ ok: true } & T) | { ok: false; code: string; message: string; retriable: boolean };

/** Refusals a signer gives for good, kept as they are; any other is the signer's fault, hence FORBIDDEN. */
const FINAL_REFUSALS = new Set(['BAD_INPUT', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT']);

/**
 * A bridge signer that is a blocklet of this node: the relayer asks it through the runtime (`call` handler), as a
 * relayer on another machine would ask it over HTTP (`/b/<name>/mint-signatures`). Its keys never leave the node's
 * key store (`ctx.keys`); the blocklet checks the source of every request itself.
 */
export class BlockletSigner implements BridgeSignerApi {
  private constructor(
    readonly runtime: BlockletRuntime,
    readonly blocklet: string,
    readonly did: string,
    readonly ethAddress: string,
  ) {}

  /** Asks the blocklet who it is (the DID the ledger counts, the address the contract counts). */
  static async connect(runtime: BlockletRuntime, blocklet: string): Promise<BlockletSigner> {
    const id = await ask<{ did: string; ethAddress: string }>(runtime, blocklet, { op: 'identity' });
    return new BlockletSigner(runtime, blocklet, id.did, id.ethAddress);
  }

  async signMint(request: MintRequest): Promise<string> {
    const input = { op: 'signMint', lockId: request.lockId, to: request.to, amount: request.amount.toString() };
    return (await ask<{ signature: string }>(this.runtime, this.blocklet, input)).signature;
  }

  async approveRelease(request: ReleaseRequest): Promise<Approval> {
    const input = { op: 'approveRelease', ...request, amount: request.amount.toString() };
    const { approval } = await ask<{ approval: { did: string; publicKey: string; signature: string } }>(this.runtime, this.blocklet, input);
    return { did: approval.did, publicKey: fromHex(approval.publicKey), signature: fromHex(approval.signature) };
  }
}

/**
 * One request to a bridge blocklet (a signer, the relayer) through its `call` handler; a refusal is a NodeError
 * (UNAVAILABLE when asking again may pass).
 */
export async function ask<T>(runtime: BlockletRuntime, blocklet: string, input: Record<string, unknown>, role = 'signer'): Promise<T> {
  const outcome = await runtime.invoke(blocklet, { handler: 'call', input, trigger: 'call' }).catch((error: Error) => {
    throw new NodeError('UNAVAILABLE', `The ${role} ${blocklet} could not be asked: ${error.message}`);
  });
  if (!outcome.ok) throw new NodeError('UNAVAILABLE', `The ${role} ${blocklet} failed (${outcome.error?.code}): ${outcome.error?.message}`);
  const answer = outcome.output as SignerAnswer<T> | null;
  if (answer?.ok === true) return answer;
  if (answer?.ok === false) {
    if (answer.retriable) throw new NodeError('UNAVAILABLE', answer.message);
    throw new NodeError(FINAL_REFUSALS.has(answer.code) ? (answer.code as 'FORBIDDEN') : 'FORBIDDEN', answer.message);
  }
  throw new NodeError('UNAVAILABLE', `The ${role} ${blocklet} answered something that is not a ${role}'s answer.`);
}

/** What a signer blocklet is set up with, besides its keys. */
export interface SignerSettings {
  contract: string;
  confirmations: number;
  /** The node's OCAP chain name of Ethereum. */
  ethChain: string;
}

/** What setting up a signer blocklet needs of the node. */
export interface SignerSetupDeps {
  runtime: BlockletRuntime;
  ledger: Ledger;
  queries: LedgerQueries;
  /** On development chains: pays a signer's deploy fee when its DID holds too little. */
  faucet: Faucet;
}

/**
 * Deploys the signer component as `blocklet` (unless it is live already), owned by the signer's own DID (the one the
 * chain lists in bridgeSigners), and seals `keys` into its environment with its settings: what a signer's operator
 * does with `arc blocklet deploy` and secure environment variables, done by the node for development chains and
 * tests. The signer's DID pays the deploy fee; on a development chain the faucet tops it up first. A name owned by
 * someone else is refused.
 */
export async function setUpSignerBlocklet(
  deps: SignerSetupDeps,
  blocklet: string,
  keys: BridgeSignerKeys,
  settings: SignerSettings,
): Promise<void> {
  const { runtime } = deps;
  const pair = keyPairFromSeed(keys.seed);
  const signer = { ...pair, did: didFromPublicKey(pair.publicKey) };
  await deployBridgeBlocklet(deps, blocklet, signer, SIGNER_COMPONENT, settings.ethChain, 'the signer');
  await runtime.setEnv(blocklet, 'LEDGER_KEY', toHex(keys.seed), true);
  await runtime.setEnv(blocklet, 'ETH_KEY', keys.ethKey, true);
  await runtime.setEnv(blocklet, 'BRIDGE_CONTRACT', settings.contract, false);
  await runtime.setEnv(blocklet, 'CONFIRMATIONS', String(settings.confirmations), false);
  await runtime.setEnv(blocklet, 'ETH_CHAIN', settings.ethChain, false);
}

/**
 * Deploys a bridge component (`folder`) as `blocklet` owned by `owner`, unless it is live already: the owner pays the
 * deploy fee (on a development chain the faucet tops it up first); the manifest's Ethereum chain becomes `ethChain`.
 * A name owned by someone else is CONFLICT (`who` names the owner in the sentence).
 */
export async function deployBridgeBlocklet(
  deps: SignerSetupDeps,
  blocklet: string,
  owner: { did: string; publicKey: Uint8Array; secretKey: Uint8Array },
  folder: string,
  ethChain: string,
  who: string,
): Promise<void> {
  const { runtime } = deps;
  const current = await runtime.registry.owner(blocklet);
  if (current !== null && current !== owner.did) {
    throw new NodeError(
      'CONFLICT',
      `The blocklet name ${blocklet} belongs to ${current}, not to ${who} (${owner.did}); name it otherwise.`,
    );
  }
  const live =
    current !== null &&
    (await runtime.resolve(blocklet).then(
      () => true,
      () => false,
    ));
  if (live) return;
  await payableDeployer(deps, owner.did);
  await deployComponent(deps, owner, folder, (manifest) =>
    manifest.replace(/^name: .*$/m, `name: ${blocklet}`).replace(/^(\s+- chain: )ethereum$/m, `$1${ethChain}`),
  );
}

/** Makes sure `did` can pay a deploy's fee: on a development chain the faucet tops it up; elsewhere the operator must. */
export async function payableDeployer(deps: SignerSetupDeps, did: string): Promise<void> {
  const fee = deps.ledger.params.minFee;
  if (BigInt((await deps.queries.account(did)).balance) >= fee) return;
  if (!deps.faucet.enabled) {
    throw new NodeError('INSUFFICIENT_FUNDS', `${did} deploys a bridge blocklet but holds less than the deploy fee (${fee}); fund it.`);
  }
  const { hash } = await deps.faucet.claim(did, `bridge-signer-deploy:${did}`);
  const settled = await waitForTx(deps.ledger, deps.queries, hash, SIGNER_SETUP_WAIT_MS);
  if (settled.status !== 'committed')
    throw new NodeError('UNAVAILABLE', `The faucet's transfer to the bridge signer ${did} is ${settled.status}.`);
}

/** How long setting up a signer waits for the faucet's transfer to commit. */
const SIGNER_SETUP_WAIT_MS = 30_000;
