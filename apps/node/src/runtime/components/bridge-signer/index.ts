import type { BlockletContext, BlockletHttpResponse } from '@arc/core';
import { type Answer, answer, Refused } from './refusal.ts';
import { DID, jsonObjectBody, notFound, RequestError, serveRequests } from './request.ts';

/**
 * One bridge signer (blocklet.yml says what it is for). Every answer is `{ ok: true, … }` or a refusal
 * `{ ok: false, code, message, retriable }`: a refusal is an answer, not a failure of the call, so the relayer can
 * tell "never" (FORBIDDEN, CONFLICT, NOT_FOUND) from "not yet" (UNAVAILABLE, retriable).
 */

const HASH = /^0x[0-9a-f]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const AMOUNT = /^[1-9]\d{0,77}$/;
/** The contract's burn event (packages/adapters/contracts/ArcBridgedAbt.sol): `from` and `burnNonce` are indexed. */
const BURNED_EVENT = 'BridgeBurned(address,string,uint256,uint256)';
const BURNED_TOPICS = 3;
/** The contract's EIP-712 domain and the type of a mint (packages/adapters/src/ethereum/bridge-token.ts). */
const EIP712 = { name: 'ArcBridgedAbt', version: '1' };
const MINT_TYPES = {
  Mint: [
    { name: 'to', type: 'address' },
    { name: 'amount', type: 'uint256' },
    { name: 'lockId', type: 'bytes32' },
  ],
};

interface Settings {
  contract: string;
  confirmations: number;
  eth: string;
}

function settings(ctx: BlockletContext): Settings {
  const contract = ctx.env.BRIDGE_CONTRACT ?? '';
  const confirmations = Number(ctx.env.CONFIRMATIONS);
  if (!ADDRESS.test(contract))
    throw new Refused('UNAVAILABLE', 'BRIDGE_CONTRACT is not an Ethereum address: the operator must set it', true);
  if (!Number.isInteger(confirmations) || confirmations < 1) {
    throw new Refused('UNAVAILABLE', 'CONFIRMATIONS is not a whole number of at least 1: the operator must set it', true);
  }
  return { contract: contract.toLowerCase(), confirmations, eth: ctx.env.ETH_CHAIN || 'ethereum' };
}

function field(value: unknown, pattern: RegExp, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw new Refused('BAD_INPUT', `${what} is not well formed`);
  return value;
}

function amountOf(value: unknown): string {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  return field(text, AMOUNT, 'amount (a positive whole number in the smallest unit, as a string)');
}

/** This signer's two identities: the DID the ledger counts and the address the contract counts. */
async function identity(ctx: BlockletContext): Promise<{ did: string; ethAddress: string }> {
  const [ledger, eth] = await Promise.all([ctx.keys.info('LEDGER_KEY'), ctx.keys.info('ETH_KEY')]);
  return { did: ledger.address, ethAddress: eth.address };
}

interface LedgerTxStatus {
  status: string;
  tx: { type: string; itx: { amount?: unknown; ethAddress?: unknown } } | null;
}

/** The EIP-712 signature of a mint, only for a bridgeLock committed on the ledger with exactly this amount and address. */
async function signMint(ctx: BlockletContext, input: Record<string, unknown>): Promise<{ signature: string }> {
  const lockId = field(input.lockId, HASH, 'lockId (0x and 64 lower-case hex digits)');
  const to = field(input.to, ADDRESS, 'to (an Ethereum address)');
  const amount = amountOf(input.amount);
  const read = (await ctx.ocap.native('arc', 'getTx', [lockId])) as LedgerTxStatus;
  // A signer's node may be a block behind the relayer's: "not yet", while a lock that never was stays unsigned.
  if (read.status === 'pending' || read.status === 'unknown' || read.tx === null) {
    throw new Refused('UNAVAILABLE', `No committed transaction ${lockId} on this signer's ledger (yet): not signed.`, true);
  }
  if (read.status !== 'committed') throw new Refused('FORBIDDEN', `Transaction ${lockId} ${read.status} in its block: it locked nothing.`);
  if (read.tx.type !== 'bridgeLock') throw new Refused('FORBIDDEN', `Transaction ${lockId} is not a bridge lock.`);
  const locked = read.tx.itx;
  if (String(locked.amount) !== amount || String(locked.ethAddress) !== to.toLowerCase()) {
    throw new Refused('CONFLICT', `Lock ${lockId} is ${locked.amount} to ${locked.ethAddress}, not ${amount} to ${to}: not signed.`);
  }
  const { contract, eth } = settings(ctx);
  const chainId = (await ctx.ocap.native(eth, 'eth_chainId')) as string;
  const signature = await ctx.keys.signTypedData('ETH_KEY', {
    domain: { ...EIP712, chainId, verifyingContract: contract },
    types: MINT_TYPES,
    message: { to, amount, lockId },
  });
  return { signature };
}

interface RpcLog {
  address: string;
  topics: string[];
  data: string;
  logIndex: string;
  blockNumber: string;
}

interface RpcReceipt {
  status: string;
  blockNumber: string;
  blockHash: string | null;
  logs: RpcLog[];
}

/** An approval of the release of a burn this signer reads from Ethereum itself, deep enough, to a DID, for exactly this amount. */
async function approveRelease(ctx: BlockletContext, input: Record<string, unknown>) {
  const ethTxHash = field(input.ethTxHash, HASH, "ethTxHash (the burn's hash: 0x and 64 lower-case hex digits)");
  const logIndex = input.logIndex;
  if (typeof logIndex !== 'number' || !Number.isInteger(logIndex) || logIndex < 0)
    throw new Refused('BAD_INPUT', 'logIndex is a whole number');
  const to = String(input.to);
  const amount = amountOf(input.amount);
  const { contract, confirmations, eth } = settings(ctx);
  const receipt = (await ctx.ocap.native(eth, 'eth_getTransactionReceipt', [ethTxHash])) as RpcReceipt | null;
  const block = receipt?.blockHash
    ? ((await ctx.ocap.native(eth, 'eth_getBlockByNumber', [receipt.blockNumber, false])) as { hash: string } | null)
    : null;
  // A receipt whose block is no longer the canonical one at its height was reorganised away.
  if (!receipt || !block || block.hash !== receipt.blockHash) {
    throw new Refused('NOT_FOUND', `Transaction ${ethTxHash} is not on the canonical Ethereum chain.`);
  }
  if (BigInt(receipt.status) !== 1n) throw new Refused('FORBIDDEN', `Transaction ${ethTxHash} failed: it burned nothing.`);
  const topic = await ctx.abi.keccak256(BURNED_EVENT);
  // Any contract can emit a look-alike event: only a log of the bridge's own address counts.
  const log = receipt.logs.find((l) => Number(BigInt(l.logIndex)) === logIndex);
  if (!log || log.address.toLowerCase() !== contract || log.topics.length !== BURNED_TOPICS || log.topics[0] !== topic) {
    throw new Refused('FORBIDDEN', `Log ${logIndex} of ${ethTxHash} is not a BridgeBurned of ${contract}.`);
  }
  const [arcDid, burned] = (await ctx.abi.decode(['string', 'uint256'], log.data)) as [string, string];
  const head = BigInt((await ctx.ocap.native(eth, 'eth_blockNumber')) as string);
  const depth = head - BigInt(log.blockNumber) + 1n;
  if (depth < BigInt(confirmations)) {
    throw new Refused('UNAVAILABLE', `The burn has ${depth} of ${confirmations} confirmations; ask again later.`, true);
  }
  if (!DID.test(arcDid)) throw new Refused('FORBIDDEN', `The burn names ${arcDid}, which is not a DID: never released.`);
  if (arcDid !== to || burned !== amount) {
    throw new Refused('CONFLICT', `The burn is ${burned} to ${arcDid}, not ${amount} to ${to}: not approved.`);
  }
  try {
    const approval = await ctx.keys.approve('LEDGER_KEY', { type: 'bridgeRelease', ethTxHash, logIndex, to, amount });
    return { approval };
  } catch (error) {
    // The ledger's own checks of the release (a DID its checksum refuses): never approvable.
    if ((error as { code?: unknown }).code === 'BAD_INPUT') throw new Refused('FORBIDDEN', (error as Error).message);
    throw error;
  }
}

type CallInput = { op?: unknown } & Record<string, unknown>;

const STATUS: Record<string, number> = { BAD_INPUT: 400, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409 };

function http(result: Answer<object>): BlockletHttpResponse {
  return { status: result.ok ? 200 : (STATUS[result.code] ?? 503), body: result };
}

export default {
  /** `call({ op: 'identity' | 'signMint' | 'approveRelease', … })`: what the node's relayer asks. */
  async call(input: CallInput, ctx: BlockletContext) {
    switch (input?.op) {
      case 'identity':
        return answer(() => identity(ctx));
      case 'signMint':
        return answer(() => signMint(ctx, input));
      case 'approveRelease':
        return answer(() => approveRelease(ctx, input));
      default:
        return { ok: false, code: 'BAD_INPUT', message: 'op is identity, signMint or approveRelease', retriable: false };
    }
  },

  /** The same over HTTP, for a relayer on another machine: GET /identity, POST /mint-signatures, POST /release-approvals. */
  fetch: serveRequests(async (request, ctx) => {
    if (request.path === '/identity') return http(await answer(() => identity(ctx)));
    if (request.path === '/mint-signatures') {
      const body = jsonObjectBody(request.body, '{"lockId": "0x…", "to": "0x…", "amount": "1000"}');
      return http(await answer(() => signMint(ctx, body)));
    }
    if (request.path === '/release-approvals') {
      const body = jsonObjectBody(request.body, '{"ethTxHash": "0x…", "logIndex": 0, "to": "did:abt:…", "amount": "1000"}');
      return http(await answer(() => approveRelease(ctx, body)));
    }
    if (request.path.startsWith('/')) return notFound();
    throw new RequestError(400, 'unknown path');
  }),
};
