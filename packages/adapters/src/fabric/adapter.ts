import {
  type BlockRef,
  type Capabilities,
  type ChainAdapter,
  type ChainInfo,
  type EventStream,
  formatAccountId,
  formatChainId,
  isOcapError,
  type OcapBlock,
  OcapError,
  type OcapSigner,
  type OcapTx,
  type SendOptions,
  type SendResult,
  type StreamOptions,
  unsupported,
  type WaitOptions,
} from '@arc/core';
import { pollBlocks } from '../shared/block-poller.ts';
import { Idempotency, MemoryIdempotencyStore } from '../shared/idempotency.ts';
import { waitSettled } from '../shared/wait-settled.ts';
import { type FabricBlock, toOcapBlock, toOcapTx } from './blocks.ts';
import { type FabricAdapterConfig, parseFabricConfig } from './config.ts';
import { type ChaincodeCall, FabricConnection } from './connection.ts';
import { toOcapError } from './errors.ts';
import { createChaincodeEventStream, type EventDecoder } from './events.ts';
import { canonicalAccount, type FabricSigner, loadIdentity, parseSecretKey, requireAccount, signingOf } from './identity.ts';
import { FabricLedger, TX_ID_HEX } from './ledger.ts';
import { createFabricNative, type FabricNative } from './native.ts';
import { FabricSender } from './sender.ts';
import { amountAnswer, readTokenInfo, requireAmount, requireChaincode, TOKEN_FN, tokenEventDecoder } from './tokens.ts';

/** How long waitForTransaction waits when not told: a few blocks of a busy channel. */
export const FABRIC_WAIT_TIMEOUT_MS_DEFAULT = 60_000;

export type FabricAdapter = ChainAdapter<FabricNative>;

/** Waits until `promise` settles (either way) or `ms` pass, leaving no timer behind. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const elapsed = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, ms));
  });
  await Promise.race([promise.then(noop, noop), elapsed]);
  clearTimeout(timer);
}

function noop(): void {}

/**
 * Honest capabilities: accounts are derived from X.509 identities and tokens are the token chaincode's (both built
 * by the adapter); chaincode events are Fabric's own; blocks are final once committed, so no reorgs; no assets.
 */
const CAPABILITIES: Capabilities = {
  accounts: 'emulated',
  tokens: 'emulated',
  assets: false,
  events: 'native',
  reorgs: false,
  native: 'native',
};

/**
 * An OCAP adapter for a Hyperledger Fabric channel through the Fabric Gateway (peer v2.4+). Level 1 reads blocks and
 * transactions through qscc; the channel's "coin" is the configured token chaincode (balances, transfers, events).
 * The adapter's own identity reads; `signer(identity bytes)` makes other members sign their sends.
 */
export function createFabricAdapter(config: FabricAdapterConfig): FabricAdapter {
  // The identity (possibly PEM text with a private key) stays in this closure only, never on an object.
  const { identity: identityConfig, ...settings } = parseFabricConfig(config);
  const { channel, chaincode: coin } = settings;
  const store = config.idempotencyStore ?? new MemoryIdempotencyStore();
  const stoppers = new Set<() => void>();
  let closed = false;
  let opened: Promise<{ connection: FabricConnection; me: FabricSigner }> | undefined;
  let chainId: string | undefined;
  let idempotency: Idempotency | undefined;
  let infoLoaded: Promise<ChainInfo> | undefined;
  let infoProvisional = false;

  /** Loads the identity and opens the channel once; a failure is retried on the next call. */
  function open(): Promise<{ connection: FabricConnection; me: FabricSigner }> {
    if (closed) return Promise.reject(new OcapError('UNAVAILABLE', 'The Fabric adapter was closed.'));
    opened ??= (async () => {
      const me = await loadIdentity(identityConfig, settings.mspId);
      return { connection: await FabricConnection.open(settings), me };
    })();
    opened.catch(() => {
      opened = undefined;
    });
    return opened;
  }
  const connection = async () => (await open()).connection;

  const ledger = new FabricLedger(
    channel,
    async (fn, args) => {
      const { connection: c, me } = await open();
      return c.network(me).getContract('qscc').evaluate(fn, { arguments: args });
    },
    () => chainId,
  );
  const sender = new FabricSender(connection);

  /** The chain id (from the genesis block) and the idempotency scope that depends on it. */
  async function ready(): Promise<{ chainId: string; idem: Idempotency }> {
    if (chainId === undefined) chainId = formatChainId('fabric', (await ledger.blockByNumber(0)).hash.slice(0, 32));
    idempotency ??= new Idempotency(store, `fabric/${chainId}`);
    return { chainId, idem: idempotency };
  }

  const context = (action: string) => ({ action: `${action} on channel ${channel}`, chainId });

  async function evaluate(call: ChaincodeCall, signer?: OcapSigner): Promise<Uint8Array> {
    const { connection: c, me } = await open();
    return c.evaluate(signer ? signingOf(signer).signer : me, call, context(`evaluate ${call.fn} of ${call.chaincode}`));
  }

  async function loadInfo(): Promise<ChainInfo> {
    const { chainId: id } = await ready();
    let symbol = coin.toUpperCase();
    let decimals = 0;
    try {
      const info = await readTokenInfo(coin, (fn, args) => evaluate({ chaincode: coin, fn, args }));
      symbol = info.symbol;
      decimals = info.decimals;
    } catch (error) {
      // A token chaincode not initialized yet leaves the chain readable; its coin is named after the chaincode until then.
      if (!isOcapError(error, 'NOT_FOUND')) throw error;
      infoProvisional = true;
    }
    return {
      chainId: id as ChainInfo['chainId'],
      adapter: 'fabric',
      name: `Hyperledger Fabric channel ${channel}`,
      nativeSymbol: symbol,
      nativeDecimals: decimals,
      blockTimeMs: settings.blockTimeMs,
    };
  }

  async function getBlock(ref: BlockRef): Promise<FabricBlock> {
    if ('hash' in ref) {
      if (typeof ref.hash !== 'string' || !TX_ID_HEX.test(ref.hash))
        throw new OcapError('INVALID_ARGUMENT', 'A Fabric block hash is 64 hex characters.');
      return ledger.blockByHash(ref.hash.toLowerCase());
    }
    if (!Number.isSafeInteger(ref.height) || ref.height < 0)
      throw new OcapError('INVALID_ARGUMENT', 'A block height is a non-negative integer.');
    const cached = ledger.cachedBlock(ref.height);
    if (cached) return cached;
    const head = await ledger.headHeight();
    if (ref.height > head)
      throw new OcapError('NOT_FOUND', `No block ${ref.height} on channel ${channel} yet (the head is ${head}).`, { chainId });
    return ledger.blockByNumber(ref.height);
  }

  async function getLatestBlock(): Promise<OcapBlock> {
    return toOcapBlock(await ledger.blockByNumber(await ledger.headHeight()));
  }

  function requireTxId(hash: unknown): string {
    if (typeof hash !== 'string' || !TX_ID_HEX.test(hash))
      throw new OcapError('INVALID_ARGUMENT', 'A Fabric transaction id is 64 hex characters.');
    return hash.toLowerCase();
  }

  async function getTransaction(hash: string): Promise<OcapTx> {
    const txId = requireTxId(hash);
    try {
      const [{ tx, block }, head] = await Promise.all([ledger.transaction(txId), ledger.headHeight()]);
      return toOcapTx(tx, block, Math.max(head, block.number), coin);
    } catch (error) {
      const sent = isOcapError(error, 'NOT_FOUND') ? sender.pending(txId) : undefined;
      if (!sent) throw error;
      return {
        hash: txId,
        status: 'pending',
        from: sent.from,
        to: sent.to,
        value: sent.value,
        fee: 0n,
        blockHeight: null,
        blockHash: null,
        confirmations: 0,
      };
    }
  }

  /** A token transfer from `signer` under its idempotency key, in the signer's lane. */
  async function sendTransfer(
    signer: OcapSigner,
    token: string,
    request: { to: string; amount: bigint } & SendOptions,
  ): Promise<SendResult> {
    const from = signingOf(signer).signer;
    const to = requireAccount(request.to, 'receiver');
    const amount = requireAmount(request.amount);
    const { idem } = await ready();
    return idem.run(request.idempotencyKey, { op: 'transfer', token, from: from.address, to, amount }, async () => {
      const call = { chaincode: token, fn: TOKEN_FN.transfer, args: [to, amount.toString()] };
      const movement = token === coin ? { to, value: amount } : { to: null, value: 0n };
      const sent = await sender.send(from, call, context(`Transfer of ${token}`), movement);
      return { hash: sent.txId, from: from.address };
    });
  }

  function track(stop: () => void): () => void {
    const untrack = () => {
      stoppers.delete(untrack);
      stop();
    };
    stoppers.add(untrack);
    return untrack;
  }

  function chaincodeEvents(name: string, decode: EventDecoder, options: StreamOptions): EventStream {
    const stream = createChaincodeEventStream(
      {
        open: async (startBlock) => {
          const { connection: c, me } = await open();
          return c.network(me).getChaincodeEvents(name, { startBlock: BigInt(startBlock) });
        },
        headHeight: () => ledger.headHeight(),
        block: (height) => ledger.blockByNumber(height),
        toOcapError: (error) => toOcapError(error, context(`chaincode events of ${name}`)),
      },
      decode,
      { ...options, pollMs: options.pollMs ?? settings.pollMs },
    );
    const close = track(() => stream.close());
    return { [Symbol.asyncIterator]: () => stream[Symbol.asyncIterator](), checkpoint: () => stream.checkpoint(), close };
  }

  const native = createFabricNative({
    settings,
    open,
    ready,
    ledger,
    sender,
    getBlock,
    context,
    chaincodeEvents: (name, options) =>
      chaincodeEvents(requireChaincode(name, 'chaincode'), tokenEventDecoder(name, name === coin ? 'transfer' : 'tokenTransfer'), options),
  });

  return {
    name: 'fabric',
    native,

    info() {
      if (!infoLoaded) {
        infoProvisional = false;
        infoLoaded = loadInfo();
        // Asked again after a failure or before the token was initialized, the peer is asked again.
        infoLoaded.then(
          () => {
            if (infoProvisional) infoLoaded = undefined;
          },
          () => {
            infoLoaded = undefined;
          },
        );
      }
      return infoLoaded;
    },
    capabilities: () => ({ ...CAPABILITIES }),
    signer: (secretKey) => parseSecretKey(secretKey, settings.mspId),
    isAddress: (address) => canonicalAccount(address) !== undefined,

    getLatestBlock,
    getBlock: async (ref) => toOcapBlock(await getBlock(ref)),
    getTransaction,

    async getBalance(address) {
      const account = requireAccount(address);
      return amountAnswer(await evaluate({ chaincode: coin, fn: TOKEN_FN.balanceOf, args: [account] }), 'BalanceOf');
    },

    /** Fabric charges no fees. */
    async estimateFee(request) {
      requireAccount(request.from, 'sender');
      requireAccount(request.to, 'receiver');
      return { fee: 0n, rate: 0n, unit: 'flat' };
    },

    transfer: (signer, request) => sendTransfer(signer, coin, request),

    broadcast: (rawTx, options = {}) => native.broadcast(rawTx, options),

    async waitForTransaction(hash: string, options: WaitOptions = {}) {
      const txId = requireTxId(hash);
      const confirmations = options.confirmations ?? 1;
      const timeoutMs = options.timeoutMs ?? FABRIC_WAIT_TIMEOUT_MS_DEFAULT;
      // Not committed yet (Fabric shows no mempool) reads as NOT_FOUND and is waited on.
      return waitSettled({
        id: txId,
        chainId,
        confirmations,
        timeoutMs,
        pollMs: settings.pollMs,
        read: () => getTransaction(txId),
        // Our own transaction: its commit status answers as soon as the peer commits it.
        beforeRead: async (leftMs) => {
          const sent = sender.pending(txId);
          if (sent) await settledWithin(sent.commit, leftMs);
        },
      });
    },

    subscribeBlocks(onBlock, options = {}) {
      const stop = pollBlocks({ latest: getLatestBlock, byHeight: async (height) => toOcapBlock(await getBlock({ height })) }, onBlock, {
        pollMs: options.pollMs ?? settings.pollMs,
        onError: options.onError,
      });
      return track(stop);
    },

    async close() {
      closed = true;
      for (const stop of [...stoppers]) stop();
      const wasOpen = opened;
      opened = undefined;
      if (wasOpen) (await wasOpen.catch(() => undefined))?.connection.close();
    },

    accountId(address) {
      const account = requireAccount(address);
      if (chainId === undefined) {
        throw new OcapError(
          'UNAVAILABLE',
          'The chain id is not known yet (it comes from the genesis block): await info() before accountId().',
        );
      }
      return formatAccountId(chainId, account);
    },

    async getTokenInfo(token) {
      const name = requireChaincode(token);
      return readTokenInfo(name, (fn, args) => evaluate({ chaincode: name, fn, args }));
    },
    async getTokenBalance(token, owner) {
      const name = requireChaincode(token);
      const account = requireAccount(owner, 'owner');
      return amountAnswer(await evaluate({ chaincode: name, fn: TOKEN_FN.balanceOf, args: [account] }), 'BalanceOf');
    },
    transferToken: (signer, request) => sendTransfer(signer, requireChaincode(request.token), request),

    getAsset: async () => {
      throw unsupported('fabric', 'assets');
    },
    transferAsset: async () => {
      throw unsupported('fabric', 'assets');
    },

    events: (options: StreamOptions = {}) => chaincodeEvents(coin, tokenEventDecoder(coin, 'transfer'), options),
  };
}
