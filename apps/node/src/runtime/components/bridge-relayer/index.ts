import type { BlockletContext } from '@arc/core';
import { type Answer, answer, Refused } from './refusal.ts';
import { notFound, serveRequests } from './request.ts';

/**
 * The bridge's relayer (blocklet.yml says what it is for). The node's bridge service asks it, one transfer at a time,
 * `call({ op: 'mint', lockId, to, amount })` or `call({ op: 'release', ethTxHash, logIndex, to, amount, threshold })`;
 * it answers `{ ok: true, … }` with what it sent, or a refusal `{ ok: false, code, message, retriable }` (then nothing
 * was sent). It signs nothing that authorises anything: the contract and the ledger each count a threshold of the
 * signers' own signatures, which it only collects and carries.
 */

const HASH = /^0x[0-9a-f]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const AMOUNT = /^[1-9]\d{0,77}$/;
const DID = /^did:abt:z[1-9A-HJ-NP-Za-km-z]{20,60}$/;
/** The contract's functions the relayer reads and calls (packages/adapters/contracts/ArcBridgedAbt.sol). */
const MINTED = 'minted(bytes32)';
const THRESHOLD = 'threshold()';
const MINT = 'mint(address,uint256,bytes32,bytes[])';
/** kv: the mint transaction last sent for a lock (its hash), so a retry does not send a second one while it waits. */
const SENT = 'sent:';
/** Gas above the estimate: the estimate is for the state it was made on. */
const GAS_MARGIN_PERCENT = 20n;

interface Settings {
  contract: string;
  eth: string;
  signers: string[];
}

function settings(ctx: BlockletContext): Settings {
  const contract = ctx.env.BRIDGE_CONTRACT ?? '';
  if (!ADDRESS.test(contract))
    throw new Refused('UNAVAILABLE', 'BRIDGE_CONTRACT is not an Ethereum address: the operator must set it', true);
  const signers = (ctx.env.SIGNERS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (signers.length === 0) throw new Refused('UNAVAILABLE', 'SIGNERS names no signer: the operator must set it', true);
  return { contract: contract.toLowerCase(), eth: ctx.env.ETH_CHAIN || 'ethereum', signers };
}

function field(value: unknown, pattern: RegExp, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw new Refused('BAD_INPUT', `${what} is not well formed`);
  return value;
}

/** Asks one signer (a blocklet of this node, or a base URL over HTTP); a refusal is a Refused. */
async function ask<T>(ctx: BlockletContext, signer: string, op: string, path: string, body: Record<string, unknown>): Promise<T> {
  let answer: Answer<T>;
  if (/^https?:\/\//.test(signer)) {
    const response = await ctx.fetch(`${signer.replace(/\/$/, '')}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    answer = JSON.parse(response.body) as Answer<T>;
  } else {
    answer = (await ctx.blocklets.call(signer, { op, ...body })) as Answer<T>;
  }
  if (answer?.ok === true) return answer;
  if (answer?.ok === false) throw new Refused(answer.code, answer.message, answer.retriable);
  throw new Refused('UNAVAILABLE', `${signer} answered something that is not a signer's answer`, true);
}

/**
 * Asks the signers in order until `threshold` of them signed. Short of it, a refusal that says how many and why each
 * other said no; retriable unless one refused for good.
 */
async function collect<T>(ctx: BlockletContext, signers: string[], threshold: number, what: string, one: (signer: string) => Promise<T>) {
  const got: T[] = [];
  const refusals: string[] = [];
  let retriable = true;
  for (const signer of signers) {
    if (got.length >= threshold) break;
    try {
      got.push(await one(signer));
    } catch (error) {
      const { code, message } = error as { code?: unknown; message?: string };
      if (typeof code !== 'string') throw error;
      refusals.push(`${signer}: ${message}`);
      // A signer's refusal says whether asking again may pass; a signer that could not be reached may answer later.
      retriable &&= error instanceof Refused ? error.retriable : true;
    }
  }
  if (got.length < threshold) {
    const why = refusals.length > 0 ? refusals.join('; ') : 'no other signer of the set is reachable';
    ctx.log.warn(`${got.length} of ${threshold} ${what}: ${why}`);
    throw new Refused(retriable ? 'UNAVAILABLE' : 'FORBIDDEN', `${got.length} of ${threshold} ${what}: ${why}`, retriable);
  }
  return got;
}

async function view(ctx: BlockletContext, s: Settings, signature: string, types: string[], values: unknown[]): Promise<string> {
  const selector = (await ctx.abi.keccak256(signature)).slice(0, 10);
  const args = types.length === 0 ? '' : (await ctx.abi.encode(types, values)).slice(2);
  return (await ctx.ocap.native(s.eth, 'eth_call', [{ to: s.contract, data: `${selector}${args}` }, 'latest'])) as string;
}

const quantity = (hex: unknown) => BigInt(hex as string);

/** A mint: already minted, or waiting in the Ethereum mempool, or sent now with a threshold of signatures. */
async function mint(ctx: BlockletContext, input: Record<string, unknown>) {
  const lockId = field(input.lockId, HASH, 'lockId (0x and 64 lower-case hex digits)');
  const to = field(input.to, ADDRESS, 'to (an Ethereum address)');
  const amount = field(typeof input.amount === 'number' ? String(input.amount) : input.amount, AMOUNT, 'amount');
  const s = settings(ctx);
  if (quantity(await view(ctx, s, MINTED, ['bytes32'], [lockId])) !== 0n) return { minted: true, ethTxHash: null };
  const sent = (await ctx.kv.get(`${SENT}${lockId}`)) as { hash: string } | null;
  if (sent) {
    const pending = (await ctx.ocap.native(s.eth, 'eth_getTransactionByHash', [sent.hash])) as { blockNumber: string | null } | null;
    // Still in the mempool: sending again would only compete with it.
    if (pending && pending.blockNumber === null) return { minted: false, ethTxHash: sent.hash, waiting: true };
  }
  const threshold = Number(quantity(await view(ctx, s, THRESHOLD, [], [])));
  const signatures = await collect(ctx, s.signers, threshold, 'mint signatures', async (signer) => {
    const answer = await ask<{ signature: string }>(ctx, signer, 'signMint', '/mint-signatures', { lockId, to, amount });
    return answer.signature;
  });
  const selector = (await ctx.abi.keccak256(MINT)).slice(0, 10);
  const data = `${selector}${(await ctx.abi.encode(['address', 'uint256', 'bytes32', 'bytes[]'], [to, amount, lockId, signatures])).slice(2)}`;
  const { address: from } = await ctx.keys.info('ETH_KEY');
  const [chainId, nonce, gasPrice, tip] = await Promise.all([
    ctx.ocap.native(s.eth, 'eth_chainId'),
    ctx.ocap.native(s.eth, 'eth_getTransactionCount', [from, 'pending']),
    ctx.ocap.native(s.eth, 'eth_gasPrice'),
    ctx.ocap.native(s.eth, 'eth_maxPriorityFeePerGas'),
  ]);
  let gas: bigint;
  try {
    gas = quantity(await ctx.ocap.native(s.eth, 'eth_estimateGas', [{ from, to: s.contract, data }]));
  } catch (error) {
    // The contract would revert (minted meanwhile, a signature it does not count): nothing is sent.
    throw new Refused('CONFLICT', `The contract refuses this mint: ${(error as Error).message}`);
  }
  const signed = await ctx.keys.signEthereumTransaction('ETH_KEY', {
    chainId: quantity(chainId).toString(),
    nonce: Number(quantity(nonce)),
    to: s.contract,
    data,
    gasLimit: ((gas * (100n + GAS_MARGIN_PERCENT)) / 100n).toString(),
    maxFeePerGas: (quantity(gasPrice) * 2n + quantity(tip)).toString(),
    maxPriorityFeePerGas: quantity(tip).toString(),
  });
  // Held until this invocation commits (its kv with it), then broadcast.
  await ctx.ocap.send(s.eth, signed.rawTx);
  await ctx.kv.set(`${SENT}${lockId}`, { hash: signed.hash.toLowerCase() });
  ctx.log.info('mint sent', lockId, signed.hash);
  return { minted: false, ethTxHash: signed.hash.toLowerCase() };
}

/** A release: a threshold of approvals collected and the bridgeRelease sent, its fee paid by this blocklet's DID. */
async function release(ctx: BlockletContext, input: Record<string, unknown>) {
  const ethTxHash = field(input.ethTxHash, HASH, "ethTxHash (the burn's hash)");
  const logIndex = input.logIndex;
  if (typeof logIndex !== 'number' || !Number.isInteger(logIndex) || logIndex < 0)
    throw new Refused('BAD_INPUT', 'logIndex is a whole number');
  const to = field(input.to, DID, 'to (a DID)');
  const amount = field(typeof input.amount === 'number' ? String(input.amount) : input.amount, AMOUNT, 'amount');
  const threshold = input.threshold;
  if (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold < 1)
    throw new Refused('BAD_INPUT', "threshold is the ledger's bridgeThreshold");
  const s = settings(ctx);
  const request = { ethTxHash, logIndex, to, amount };
  const approvals = await collect(ctx, s.signers, threshold, 'approvals', async (signer) => {
    const answer = await ask<{ approval: { did: string; publicKey: string; signature: string } }>(
      ctx,
      signer,
      'approveRelease',
      '/release-approvals',
      request,
    );
    return answer.approval;
  });
  const { hash } = await ctx.ledger.submit({ type: 'bridgeRelease', ...request, approvals });
  ctx.log.info('release sent', `${ethTxHash}:${logIndex}`, hash);
  return { ledgerTxHash: hash };
}

/** Who pays: its DID the releases' fees, its Ethereum address the mints' gas. Neither authorises anything. */
async function identity(ctx: BlockletContext): Promise<{ did: string; ethAddress: string }> {
  return { did: await ctx.ledger.did(), ethAddress: (await ctx.keys.info('ETH_KEY')).address };
}

type CallInput = { op?: unknown } & Record<string, unknown>;

export default {
  /** `call({ op: 'identity' | 'mint' | 'release', … })`: what the node's bridge service asks. */
  async call(input: CallInput, ctx: BlockletContext) {
    switch (input?.op) {
      case 'identity':
        return answer(() => identity(ctx));
      case 'mint':
        return answer(() => mint(ctx, input));
      case 'release':
        return answer(() => release(ctx, input));
      default:
        return { ok: false, code: 'BAD_INPUT', message: 'op is identity, mint or release', retriable: false };
    }
  },

  /** GET /identity: who pays (to fund it), over HTTP. */
  fetch: serveRequests(async (request, ctx) => {
    if (request.path !== '/identity') return notFound();
    const result = await answer(() => identity(ctx));
    return { status: result.ok ? 200 : 503, body: result };
  }),
};
