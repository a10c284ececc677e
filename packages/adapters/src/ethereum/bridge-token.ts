import { OcapError } from '@arc/core';
import {
  type Contract,
  ContractFactory,
  Interface,
  type Log,
  type Signer,
  type TypedDataDomain,
  type TypedDataField,
  ZeroAddress,
} from 'ethers';
import { ArcBridgedAbt } from './artifacts/index.ts';
import { checkAddress, checkAmount, checkHash, checksumAddress } from './convert.ts';

/**
 * The Ethereum side of the ABT ↔ ERC-20 bridge (contracts/ArcBridgedAbt.sol): deployment, the EIP-712 message
 * the bridge signers sign for a mint, and the decoding of the contract's two events. The bounds below mirror the
 * contract's constants (the test reads them back from a deployment).
 */

/** Most signers a bridge contract accepts (the contract's MAX_SIGNERS). */
export const BRIDGE_SIGNERS_MAX = 16;
/** Bounds on the UTF-8 byte length of the Arc DID named in `burnToArc` (ARC_DID_BYTES_MIN/MAX). */
export const BRIDGE_ARC_DID_BYTES_MIN = 10;
export const BRIDGE_ARC_DID_BYTES_MAX = 64;
/** The EIP-712 domain name and version of the contract; the domain also binds chain id and contract address. */
export const BRIDGE_EIP712_NAME = 'ArcBridgedAbt';
export const BRIDGE_EIP712_VERSION = '1';

/** The EIP-712 types of a mint: `Mint(address to,uint256 amount,bytes32 lockId)`. */
export const BRIDGE_MINT_TYPES: Record<string, TypedDataField[]> = {
  Mint: [
    { name: 'to', type: 'address' },
    { name: 'amount', type: 'uint256' },
    { name: 'lockId', type: 'bytes32' },
  ],
};

/** One mint: `amount` (18 decimals, 1:1 with ABT) to `to` for the ledger lock `lockId` (32 bytes, 0x hex). */
export interface BridgeMint {
  to: string;
  amount: bigint;
  lockId: string;
}

/** Where a decoded bridge event sits on the chain. */
export interface BridgeLogPosition {
  /** The contract that emitted the log (EIP-55); callers must check it is their bridge. */
  address: string;
  txHash: string;
  logIndex: number;
  blockNumber: number;
}

/** A decoded `BridgeBurned`: tokens burned on Ethereum, to be released on the ledger to `arcDid`. */
export interface BridgeBurned extends BridgeLogPosition {
  from: string;
  arcDid: string;
  amount: bigint;
  burnNonce: bigint;
}

/** A decoded `BridgeMinted`: the ledger lock `lockId` minted as `amount` to `to`. */
export interface BridgeMinted extends BridgeLogPosition {
  lockId: string;
  to: string;
  amount: bigint;
}

/** What a log decoder needs of a log: ethers' `Log` (from a receipt or `provider.getLogs`) fits. */
export type BridgeLog = Pick<Log, 'address' | 'topics' | 'data' | 'transactionHash' | 'index' | 'blockNumber'>;

/** Deploys ArcBridgedAbt with a fixed signer set and threshold; checks the set first so a bad one costs no gas. */
export async function deployBridgedAbt(
  signer: Signer,
  signers: string[],
  threshold: number,
): Promise<{ address: string; contract: Contract }> {
  const set = checkBridgeSignerSet(signers, threshold);
  const deployed = await new ContractFactory(ArcBridgedAbt.abi, ArcBridgedAbt.bytecode, signer).deploy(set, threshold);
  const contract = (await deployed.waitForDeployment()) as Contract;
  return { address: await contract.getAddress(), contract };
}

/** The signer set checksummed, or INVALID_ARGUMENT / INVALID_ADDRESS for what the constructor would revert on. */
export function checkBridgeSignerSet(signers: string[], threshold: number): string[] {
  if (signers.length > BRIDGE_SIGNERS_MAX) {
    throw new OcapError('INVALID_ARGUMENT', `A bridge takes at most ${BRIDGE_SIGNERS_MAX} signers, got ${signers.length}.`);
  }
  if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > signers.length) {
    throw new OcapError(
      'INVALID_ARGUMENT',
      `The threshold must be an integer from 1 to ${signers.length} (the signers), got ${threshold}.`,
    );
  }
  const set = signers.map((s, i) => checkAddress(s, `bridge signer #${i}`));
  set.forEach((address, i) => {
    if (address === ZeroAddress) throw new OcapError('INVALID_ADDRESS', `Bridge signer #${i} is the zero address.`);
    if (set.indexOf(address) !== i) throw new OcapError('INVALID_ARGUMENT', `Bridge signer ${address} is listed twice.`);
  });
  return set;
}

/** The EIP-712 domain, types and value a bridge signer signs to authorise `mint` on `contract` of chain `chainId`. */
export function mintTypedData(
  chainId: bigint,
  contract: string,
  mint: BridgeMint,
): { domain: TypedDataDomain; types: Record<string, TypedDataField[]>; value: BridgeMint } {
  return {
    domain: {
      name: BRIDGE_EIP712_NAME,
      version: BRIDGE_EIP712_VERSION,
      chainId,
      verifyingContract: checkAddress(contract, 'bridge contract'),
    },
    types: BRIDGE_MINT_TYPES,
    value: { to: checkAddress(mint.to, 'mint recipient'), amount: checkAmount(mint.amount), lockId: checkHash(mint.lockId, 'lock id') },
  };
}

/** One bridge signer's EIP-712 signature (65 bytes, 0x hex) of `mint`; `threshold` distinct ones let anyone mint. */
export function signMint(wallet: Signer, chainId: bigint, contract: string, mint: BridgeMint): Promise<string> {
  const { domain, types, value } = mintTypedData(chainId, contract, mint);
  return wallet.signTypedData(domain, types, value);
}

/** A `BridgeBurned` log decoded, or null for any other log (and for logs not from `contract`, when given). */
export function parseBridgeBurned(log: BridgeLog, contract?: string): BridgeBurned | null {
  const parsed = parseBridgeLog(log, 'BridgeBurned', contract);
  if (!parsed) return null;
  return {
    ...position(log),
    from: checksumAddress(parsed[0] as string),
    arcDid: parsed[1] as string,
    amount: parsed[2] as bigint,
    burnNonce: parsed[3] as bigint,
  };
}

/** A `BridgeMinted` log decoded, or null for any other log (and for logs not from `contract`, when given). */
export function parseBridgeMinted(log: BridgeLog, contract?: string): BridgeMinted | null {
  const parsed = parseBridgeLog(log, 'BridgeMinted', contract);
  if (!parsed) return null;
  return {
    ...position(log),
    lockId: parsed[0] as string,
    to: checksumAddress(parsed[1] as string),
    amount: parsed[2] as bigint,
  };
}

const bridgeInterface = new Interface(ArcBridgedAbt.abi);
/** Both events index two fields: topic0 plus two topics. */
const BRIDGE_EVENT_TOPICS = 3;

function parseBridgeLog(log: BridgeLog, name: 'BridgeBurned' | 'BridgeMinted', contract: string | undefined) {
  // Any contract can emit an event with this signature: only the bridge's own address makes a log trustworthy.
  if (contract !== undefined && checksumAddress(log.address) !== checkAddress(contract, 'bridge contract')) return null;
  const event = bridgeInterface.getEvent(name);
  if (!event || log.topics.length !== BRIDGE_EVENT_TOPICS || log.topics[0] !== event.topicHash) return null;
  try {
    return bridgeInterface.decodeEventLog(event, log.data, log.topics);
  } catch (error) {
    // Same topic0 and shape but data that does not decode: another contract's log, not a bridge event.
    if (contract === undefined) return null;
    throw new Error(`bridge ${contract} emitted a ${name} log that does not decode`, { cause: error });
  }
}

function position(log: BridgeLog): BridgeLogPosition {
  return { address: checksumAddress(log.address), txHash: log.transactionHash, logIndex: log.index, blockNumber: log.blockNumber };
}
