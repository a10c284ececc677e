import { type AdminAuth, fromHex, type Itx, isValidDid, signAdmin, type Tx, tokenAddress } from '@arc/core';
import type { AppRouter } from '@arc/node/router';
import { createTRPCClient, httpBatchLink, type TRPCClient } from '@trpc/client';
import type { z } from 'zod';
import * as build from './builders.ts';
import { badInput, ClientError, TxFailedError, toClientError } from './errors.ts';
import { type Account, verifyAccountResponse } from './proof.ts';
import {
  AccountResponseSchema,
  AssetPageSchema,
  AssetSchema,
  BlockPageSchema,
  BlockSchema,
  ChainInfoSchema,
  FaucetClaimSchema,
  GenesisResponseSchema,
  LastVerifiedSchema,
  RawBlocksSchema,
  type SendResult,
  SendResultSchema,
  TokenPageSchema,
  TokenSchema,
  TxPageSchema,
  type TxStatus,
  TxStatusSchema,
  VerifiedReportSchema,
} from './schemas.ts';
import { buildTx, cosign, createdAssetAddress, encodeTxHex } from './tx.ts';
import type { Wallet } from './wallet.ts';

/** Bounds on everything the client waits for or sends. */
export const CLIENT_LIMITS = {
  /** One HTTP request; longer than the node's longest tx.wait (30 s) so a long poll is not cut off. */
  requestTimeoutMs: 45_000,
  /** Default total wait for a transaction to commit. */
  commitTimeoutMs: 60_000,
  /** The node caps one tx.wait at this. */
  waitStepMsMax: 30_000,
  /** Pause before asking again when the node answers "pending" early. */
  waitPollMs: 250,
  maxURLLength: 4_096,
  maxBatchItems: 50,
} as const;

export interface ClientOptions {
  /** The node's base URL, e.g. http://127.0.0.1:8080 (the client adds /trpc). */
  url: string;
  /** A fetch to use instead of globalThis.fetch (tests, proxies). */
  fetch?: typeof globalThis.fetch;
  requestTimeoutMs?: number;
}

export interface SendOptions {
  /** Wait until the transaction is committed or rejected (default true). */
  wait?: boolean;
  /** Total time to wait for the commit. */
  timeoutMs?: number;
}

/** What the one-call helpers accept besides their own fields. */
export interface SubmitOptions extends SendOptions {
  /** Defaults to the chain's minFee. */
  fee?: bigint;
  /** Defaults to nextNonce(wallet.did). */
  nonce?: number;
  /** A fee payer whose key is at hand; it co-signs here. */
  feePayer?: Wallet;
}

/** What a verification report says: a replay of this chain reached `stateRoot` at `height` (verifyChain's report). */
export interface VerifyClaim {
  chainId: string;
  height: number;
  stateRoot: string;
}

/** A verification report signed by its verifier, as `chain.reportVerified` takes it. */
export interface SignedVerifyReport extends VerifyClaim {
  verifier: string;
  auth: AdminAuth;
}

/** The admin operation a verification report is signed as (the node's `chain.reportVerified`). */
export const REPORT_VERIFIED_OP = 'chain.reportVerified';

/** Signs a verification report with the wallet's key (signAdmin over the claim, named by the wallet's DID). */
export function signVerifyReport(wallet: Wallet, claim: VerifyClaim, timeMs: number = Date.now()): SignedVerifyReport {
  const params = { chainId: claim.chainId, height: claim.height, stateRoot: claim.stateRoot };
  const key = { publicKey: wallet.publicKey, secretKey: fromHex(wallet.secretKeyHex) };
  return { verifier: wallet.did, ...params, auth: signAdmin(key, REPORT_VERIFIED_OP, wallet.did, params, timeMs) };
}

/** A sent transaction: its hash, where it stands, and the signed transaction itself. */
export interface TxResult {
  hash: string;
  /** `failed` only with `wait: false`, for a transaction the node already holds as failed (waiting throws TxFailedError). */
  status: 'pending' | 'committed' | 'failed';
  height: number | null;
  tx: Tx;
}

function withTimeout(fetchImpl: typeof globalThis.fetch, timeoutMs: number): typeof globalThis.fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    // AbortSignal.any is recent in browsers; without it the caller's own signal wins.
    const signal = !init?.signal ? timeout : typeof AbortSignal.any === 'function' ? AbortSignal.any([init.signal, timeout]) : init.signal;
    return fetchImpl(input, { ...init, signal });
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A typed client of one node: the raw tRPC procedures (`trpc`) and checked, bigint-typed helpers. */
export class ArcClient {
  /** Every procedure of apps/node/API.md, typed from the node's router. */
  readonly trpc: TRPCClient<AppRouter>;
  readonly url: string;
  #genesis: Promise<{ chainId: string; minFee: bigint }> | null = null;
  /** Highest nonce this client sent per DID and has not seen settle, so unawaited sends do not collide. */
  readonly #sentNonces = new Map<string, number>();

  constructor(options: ClientOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch (error) {
      if (error instanceof TypeError) throw badInput(`"${options.url}" is not a URL`);
      throw error;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badInput('the node URL must be http or https');
    this.url = url.href.replace(/\/+$/, '');
    const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.trpc = createTRPCClient<AppRouter>({
      links: [
        httpBatchLink({
          url: `${this.url}/trpc`,
          fetch: withTimeout(fetchImpl, options.requestTimeoutMs ?? CLIENT_LIMITS.requestTimeoutMs),
          maxURLLength: CLIENT_LIMITS.maxURLLength,
          maxItems: CLIENT_LIMITS.maxBatchItems,
        }),
      ],
    });
  }

  /** Runs one procedure and parses its answer, turning every failure into a ClientError. */
  async #call<S extends z.ZodType>(what: string, schema: S, run: () => Promise<unknown>): Promise<z.output<S>> {
    let raw: unknown;
    try {
      raw = await run();
    } catch (error) {
      throw toClientError(error);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
      throw new ClientError('BAD_RESPONSE', `the node's answer to ${what} does not fit the API (${where})`);
    }
    return parsed.data;
  }

  /** The chain's id, height, parameters (minFee as bigint) and faucet. */
  chainInfo() {
    return this.#call('chain.info', ChainInfoSchema, () => this.trpc.chain.info.query());
  }

  /** Chain id and minimum fee, which are fixed at genesis, fetched once. */
  #chainConstants(): Promise<{ chainId: string; minFee: bigint }> {
    if (this.#genesis === null) {
      this.#genesis = this.chainInfo().then(
        (info) => ({ chainId: info.chainId, minFee: info.params.minFee }),
        (error: unknown) => {
          this.#genesis = null;
          throw error;
        },
      );
    }
    return this.#genesis;
  }

  /** A block by height. */
  getBlock(height: number) {
    return this.#call('block.byHeight', BlockSchema, () => this.trpc.block.byHeight.query({ height }));
  }

  /** The genesis file the chain started from (as JSON), the node's DID and its height: with rawBlocks, a replay's input. */
  getGenesis() {
    return this.#call('chain.genesis', GenesisResponseSchema, () => this.trpc.chain.genesis.query());
  }

  /** Blocks from a height up as they travel (header, seal, transactions; hex); `next` is null at the head. */
  rawBlocks(from: number, limit?: number) {
    return this.#call('block.raw', RawBlocksSchema, () => this.trpc.block.raw.query({ from, ...(limit ? { limit } : {}) }));
  }

  /**
   * Sends a signed verification report (signVerifyReport); the node records it if the state root is its own at that
   * height (else STATE_ROOT_MISMATCH) and answers what it stored. A signed report is usable once (REPLAYED).
   */
  reportVerified(report: SignedVerifyReport) {
    return this.#call('chain.reportVerified', VerifiedReportSchema, () => this.trpc.chain.reportVerified.mutate(report));
  }

  /** The verification report with the greatest height the node holds, or null when nobody has reported. */
  lastVerified() {
    return this.#call('chain.lastVerified', LastVerifiedSchema, () => this.trpc.chain.lastVerified.query());
  }

  /** Blocks newest first; pass nextCursor back for the next page. */
  listBlocks(page: { cursor?: number; limit?: number } = {}) {
    return this.#call('block.list', BlockPageSchema, () => this.trpc.block.list.query(page));
  }

  /**
   * An account with its balances as bigint, verified: the value is checked against the Merkle
   * proof, and the proof's state root against the block at its height. Throws PROOF_INVALID.
   */
  async getAccount(did: string): Promise<Account> {
    if (!isValidDid(did)) throw badInput(`"${did}" is not a valid did:abt: DID`);
    const response = await this.#call('account.get', AccountResponseSchema, () => this.trpc.account.get.query({ did }));
    const account = verifyAccountResponse(did, response);
    const block = await this.getBlock(account.proof.height);
    if (block.stateRoot !== account.proof.stateRoot) {
      throw new ClientError('PROOF_INVALID', `the proof's state root is not the state root of block ${block.height}`);
    }
    return account;
  }

  /** The nonce the account's next transaction must carry. */
  async nextNonce(did: string): Promise<number> {
    const account = await this.getAccount(did);
    return Math.max(account.nonce, this.#sentNonces.get(did) ?? 0) + 1;
  }

  /** A transaction's status by hash (pending, committed, rejected with the ledger's error, or unknown). */
  getTx(hash: string) {
    return this.#call('tx.byHash', TxStatusSchema, () => this.trpc.tx.byHash.query({ hash }));
  }

  /** Committed transactions newest first, of the whole chain or of one account. */
  listTxs(page: { did?: string; cursor?: string; limit?: number } = {}) {
    const { did, ...rest } = page;
    if (did !== undefined) {
      return this.#call('tx.listByAccount', TxPageSchema, () => this.trpc.tx.listByAccount.query({ did, ...rest }));
    }
    return this.#call('tx.list', TxPageSchema, () => this.trpc.tx.list.query(rest));
  }

  /** A token by address, or by symbol. */
  getToken(by: { address: string } | { symbol: string }) {
    return this.#call('token.get', TokenSchema, () => this.trpc.token.get.query(by));
  }

  /** Tokens, the native token first. */
  listTokens(page: { cursor?: string; limit?: number } = {}) {
    return this.#call('token.list', TokenPageSchema, () => this.trpc.token.list.query(page));
  }

  /** An asset by address. */
  getAsset(address: string) {
    return this.#call('asset.get', AssetSchema, () => this.trpc.asset.get.query({ address }));
  }

  /** The assets an account owns. */
  listAssets(owner: string, page: { cursor?: string; limit?: number } = {}) {
    return this.#call('asset.listByOwner', AssetPageSchema, () => this.trpc.asset.listByOwner.query({ owner, ...page }));
  }

  /** Claims dev-chain ABT for a DID (FAUCET_DISABLED elsewhere); waits for the commit unless wait is false. */
  async claimFaucet(did: string, options: SendOptions & { idempotencyKey?: string } = {}) {
    const { idempotencyKey, ...send } = options;
    const input = idempotencyKey === undefined ? { did } : { did, idempotencyKey };
    const claim = await this.#call('faucet.claim', FaucetClaimSchema, () => this.trpc.faucet.claim.mutate(input));
    if (send.wait === false) return { ...claim, height: null };
    const status = await this.waitForTx(claim.hash, send.timeoutMs);
    return { ...claim, height: status.height };
  }

  /**
   * Waits until the transaction is committed (returns its status), failed in its block (throws a TxFailedError
   * with the ledger's code: the fee was charged) or rejected (throws a ClientError with the ledger's code); TIMEOUT
   * if none happens in time.
   */
  async waitForTx(hash: string, timeoutMs: number = CLIENT_LIMITS.commitTimeoutMs): Promise<TxStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new ClientError('TIMEOUT', `transaction ${hash} was not committed within ${timeoutMs} ms; it may still commit`);
      }
      const stepMs = Math.min(remaining, CLIENT_LIMITS.waitStepMsMax);
      const started = Date.now();
      const status = await this.#call('tx.wait', TxStatusSchema, () => this.trpc.tx.wait.query({ hash, timeoutMs: stepMs }));
      if (status.status === 'committed') return status;
      if (status.status === 'failed') {
        throw new TxFailedError(
          hash,
          status.height ?? 0,
          status.error?.code ?? 'TX_FAILED',
          status.error?.message ?? 'its rules refused it',
        );
      }
      if (status.status === 'rejected') {
        const code = status.error?.code ?? 'REJECTED';
        throw new ClientError(code, status.error?.message ?? `the ledger rejected transaction ${hash}`);
      }
      if (status.status === 'unknown') {
        throw new ClientError('TX_DROPPED', `the node no longer knows transaction ${hash}; send it again`);
      }
      // A pending answer well before the step's end would otherwise make this loop spin.
      if (Date.now() - started < stepMs) await sleep(Math.min(CLIENT_LIMITS.waitPollMs, Math.max(0, deadline - Date.now())));
    }
  }

  /** Sends a signed transaction and, unless wait is false, waits until it is committed (rejection throws its code). */
  async send(tx: Tx, options: SendOptions = {}): Promise<TxResult> {
    const hex = encodeTxHex(tx);
    let sent: SendResult;
    try {
      sent = await this.sendRaw(hex);
    } catch (error) {
      this.#settleNonce(tx);
      throw error;
    }
    this.#sentNonces.set(tx.from, Math.max(tx.nonce, this.#sentNonces.get(tx.from) ?? 0));
    if (sent.status === 'committed' || options.wait === false) return { ...sent, tx };
    try {
      // A failed one (already in a block) is answered by waitForTx too: it throws TxFailedError.
      const status = await this.waitForTx(sent.hash, options.timeoutMs);
      return { hash: sent.hash, status: 'committed', height: status.height, tx };
    } catch (error) {
      // A failed transaction used its nonce; a rejected one did not.
      if (error instanceof ClientError && error.code !== 'TIMEOUT' && !(error instanceof TxFailedError)) this.#settleNonce(tx);
      throw error;
    }
  }

  /** Posts already encoded transaction hex to tx.send (idempotent by hash). */
  sendRaw(txHex: string): Promise<SendResult> {
    return this.#call('tx.send', SendResultSchema, () => this.trpc.tx.send.mutate({ tx: txHex }));
  }

  /** Forgets a nonce that did not make it, so the next transaction reuses it. */
  #settleNonce(tx: Tx): void {
    if (this.#sentNonces.get(tx.from) === tx.nonce) this.#sentNonces.delete(tx.from);
  }

  /** Builds, signs and sends one inner transaction, fetching chain id, nonce and minimum fee itself. */
  async submit(wallet: Wallet, itx: Itx, options: SubmitOptions = {}): Promise<TxResult> {
    const [chain, nonce] = await Promise.all([this.#chainConstants(), options.nonce ?? this.nextNonce(wallet.did)]);
    const unsigned = buildTx({
      chainId: chain.chainId,
      wallet,
      nonce,
      fee: options.fee ?? chain.minFee,
      itx,
      ...(options.feePayer ? { feePayer: options.feePayer } : {}),
    });
    const tx = wallet.signTx(unsigned, options.feePayer ? cosign(unsigned, options.feePayer) : undefined);
    return this.send(tx, options);
  }

  /** Sends ABT (amount, smallest unit), tokens and assets to one DID. */
  transfer(input: { wallet: Wallet } & build.TransferInput & SubmitOptions): Promise<TxResult> {
    const { wallet, to, amount, tokens, assets, memo, ...options } = input;
    return this.submit(wallet, build.transfer({ to, amount, tokens, assets, memo }), options);
  }

  /** Names the wallet's account. */
  declareAccount(input: { wallet: Wallet; moniker: string } & SubmitOptions): Promise<TxResult> {
    const { wallet, moniker, ...options } = input;
    return this.submit(wallet, build.declareAccount({ moniker }), options);
  }

  /** Creates a token; the result carries its address. */
  async createToken(input: { wallet: Wallet } & build.CreateTokenInput & SubmitOptions): Promise<TxResult & { address: string }> {
    const { wallet, symbol, name, decimals, totalSupply, ...options } = input;
    const result = await this.submit(wallet, build.createToken({ symbol, name, decimals, totalSupply }), options);
    return { ...result, address: tokenAddress(symbol) };
  }

  /** Creates an asset; the result carries its address. */
  async createAsset(input: { wallet: Wallet } & build.CreateAssetInput & SubmitOptions): Promise<TxResult & { address: string }> {
    const { wallet, moniker, data, transferable, readonly, ...options } = input;
    const result = await this.submit(wallet, build.createAsset({ moniker, data, transferable, readonly }), options);
    return { ...result, address: createdAssetAddress(result.tx) };
  }

  /** Replaces an asset's moniker and data. */
  updateAsset(input: { wallet: Wallet; address: string; moniker: string; data?: build.AssetData } & SubmitOptions): Promise<TxResult> {
    const { wallet, address, moniker, data, ...options } = input;
    return this.submit(wallet, build.updateAsset({ address, moniker, data }), options);
  }

  /** Consumes an asset. */
  consumeAsset(input: { wallet: Wallet; address: string } & SubmitOptions): Promise<TxResult> {
    const { wallet, address, ...options } = input;
    return this.submit(wallet, build.consumeAsset({ address }), options);
  }

  /** Lets the grantee's fees be paid from the wallet's account, up to allowance, until expiresAtMs. */
  delegate(input: { wallet: Wallet; grantee: string; allowance: bigint; expiresAtMs: number } & SubmitOptions): Promise<TxResult> {
    const { wallet, grantee, allowance, expiresAtMs, ...options } = input;
    return this.submit(wallet, build.delegate({ grantee, allowance, expiresAtMs }), options);
  }

  /** Ends a fee grant. */
  revokeDelegation(input: { wallet: Wallet; grantee: string } & SubmitOptions): Promise<TxResult> {
    const { wallet, grantee, ...options } = input;
    return this.submit(wallet, build.revokeDelegation({ grantee }), options);
  }
}

/** A client of the node at `url`. */
export function createClient(options: ClientOptions): ArcClient {
  return new ArcClient(options);
}
