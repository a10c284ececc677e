/**
 * What a blocklet sees: its handlers receive `(input, ctx)`. These types are the public SDK; the runtime
 * (apps/node/src/runtime) builds `ctx` inside the sandbox from host calls checked against the manifest.
 */
import { type ErrorCodeOf, retriableTable } from '../errors/catalog.ts';

/** An HTTP request routed to the blocklet (`/b/<name>/<path>`); the body is text. */
export interface BlockletHttpRequest {
  method: string;
  /** The path under the blocklet, starting with '/'. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  /** Who called, as the gateway established it from `authorization: Bearer <session token or API key>`: a DID, an app DID, or null. */
  caller: string | null;
}

export interface BlockletHttpResponse {
  status?: number;
  headers?: Record<string, string>;
  /** Text, or any JSON value (sent as application/json). */
  body?: unknown;
}

export interface BlockletCronEvent {
  schedule: string;
  scheduledAtMs: number;
}

/** An OCAP event of a chain trigger (amount as a decimal string); `dedupKey` is stable across redeliveries. */
export interface BlockletChainEvent {
  chain: string;
  dedupKey: string;
  event: Record<string, unknown>;
}

export interface BlockletTopicMessage {
  topic: string;
  message: unknown;
  publishedAtMs: number;
}

export interface BlockletKv {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  list(options?: {
    prefix?: string;
    limit?: number;
    cursor?: string;
  }): Promise<{ items: { key: string; value: unknown }[]; nextCursor: string | null }>;
}

export interface BlockletContext {
  invocationId: string;
  env: Readonly<Record<string, string>>;
  /** The blocklet's own state; writes are committed only when the invocation succeeds. */
  kv: BlockletKv;
  /** Publishes to a topic the manifest lists under permissions.topics.publish. */
  publish(topic: string, message: unknown): Promise<void>;
  /** HTTP to a host the manifest lists under permissions.hosts. */
  fetch(
    url: string,
    init?: { method?: string; headers?: Record<string, string>; body?: string },
  ): Promise<{ status: number; headers: Record<string, string>; body: string }>;
  /** OCAP on chains the manifest permits, up to its level. */
  ocap: {
    query(chain: string, method: string, params?: Record<string, unknown>): Promise<unknown>;
    /**
     * Held, not sent: the node broadcasts the transaction only after this invocation succeeds and is recorded
     * (nothing of a failed invocation reaches a chain). `hash` is known up front on native (`arc`) and mock
     * chains; on ethereum and bitcoin chains it is null (take it from your signer). A chain that refuses the
     * transaction after the commit is reported in the blocklet's logs.
     */
    send(chain: string, rawTx: string): Promise<{ hash: string | null; status: 'held' }>;
    /**
     * A read-only native call (OCAP level 3): on ethereum chains a JSON-RPC read (`eth_call`, `eth_getLogs`,
     * `eth_getTransactionReceipt`…); on the node's own chain a NodeApi read (`getTx`, `getAccount`…); on fabric
     * chains a chaincode `evaluate` ([{ chaincode?, fn, args? }] → { hex, text }) or a qscc read (`getBlock`…).
     * Amounts arrive as decimal strings, bytes as hex.
     */
    native(chain: string, method: string, params?: unknown[]): Promise<unknown>;
  };
  /**
   * Keys the node holds for this blocklet (permissions.keys) and signs with; the code never sees them. Messages,
   * digests and signatures are 0x hex.
   */
  keys: {
    /** The key's public key and address (a DID for ed25519, an Ethereum address for secp256k1). */
    info(name: string): Promise<{ scheme: 'ed25519' | 'secp256k1'; publicKey: string; address: string }>;
    /** ed25519: a signature of the message; secp256k1: an Ethereum signature (r, s, v: 65 bytes) of a 32-byte digest. */
    sign(name: string, message: string): Promise<string>;
    /** secp256k1 only: an EIP-712 signature (eth_signTypedData_v4); uint values as decimal strings. */
    signTypedData(
      name: string,
      typed: { domain: Record<string, unknown>; types: Record<string, { name: string; type: string }[]>; message: Record<string, unknown> },
    ): Promise<string>;
    /**
     * secp256k1 only: signs an EIP-1559 Ethereum transaction (uint values as decimal strings) and answers it ready to
     * send (`ctx.ocap.send(chain, rawTx)`), with its hash and the key's address. The caller sets nonce, gas and fees
     * (read them with `ctx.ocap.native`: eth_getTransactionCount, eth_estimateGas, eth_gasPrice).
     */
    signEthereumTransaction(
      name: string,
      tx: {
        chainId: string;
        nonce: number;
        to: string;
        data?: string;
        value?: string;
        gasLimit: string;
        maxFeePerGas: string;
        maxPriorityFeePerGas: string;
      },
    ): Promise<{ rawTx: string; hash: string; from: string }>;
    /**
     * ed25519 only: an approval of a ledger transaction that needs a threshold of them (bridgeRelease), over the
     * chain's approval digest: `{ did, publicKey, signature }` to hand to whoever submits it.
     */
    approve(name: string, itx: Record<string, unknown>): Promise<{ did: string; publicKey: string; signature: string }>;
    /**
     * ed25519 only: co-signs a ledger transaction as its fee payer. `rawTx` (0x hex) is one the sender signed for
     * this chain, naming this key as fee payer (`encodeForSponsor` in @arc/client); the sender's signature must
     * verify. Answers the co-signed transaction (send it with `ctx.ocap.send('arc', rawTx)`) and what a policy reads.
     */
    cosign(name: string, rawTx: string): Promise<{ rawTx: string; hash: string; from: string; nonce: number; type: string; fee: string }>;
  };
  /** Ethereum ABI encoding and hashing (ethers' AbiCoder on the host); uint values as decimal strings. */
  abi: {
    encode(types: string[], values: unknown[]): Promise<string>;
    decode(types: string[], data: string): Promise<unknown[]>;
    /** keccak256 of 0x hex bytes, or of a text's UTF-8 bytes (an event's topic: `keccak256('Transfer(address,address,uint256)')`). */
    keccak256(data: string): Promise<string>;
  };
  /**
   * Another blocklet of this node, as a service: `call(name, input)` runs its `call` handler as its own invocation
   * (its own keys, permissions, limits and records; its writes stand whatever this invocation does next) and answers
   * its output. What anyone may ask of it through the node's API, no more. Calls nest at most 3 deep and never loop
   * back into a blocklet already in the chain; a failure of the callee comes back as its error code.
   */
  blocklets: { call(name: string, input?: unknown): Promise<unknown> };
  /** Submits a ledger transaction signed by the blocklet's own DID (permissions.ledger.submit). */
  ledger: { did(): Promise<string>; submit(itx: Record<string, unknown>): Promise<{ hash: string }> };
  log: { info(...args: unknown[]): void; warn(...args: unknown[]): void; error(...args: unknown[]): void };
}

/** A blocklet module's default export. */
export interface BlockletHandlers {
  fetch?(request: BlockletHttpRequest, ctx: BlockletContext): Promise<BlockletHttpResponse> | BlockletHttpResponse;
  cron?(event: BlockletCronEvent, ctx: BlockletContext): Promise<unknown> | unknown;
  event?(event: BlockletChainEvent, ctx: BlockletContext): Promise<unknown> | unknown;
  topic?(message: BlockletTopicMessage, ctx: BlockletContext): Promise<unknown> | unknown;
  [handler: string]: ((input: never, ctx: BlockletContext) => unknown) | undefined;
}

/** Error codes of the runtime, each with whether retrying can help (from the catalogue, family 'blocklet'). */
export const BLOCKLET_ERRORS = retriableTable('blocklet');

export type BlockletErrorCode = ErrorCodeOf<'blocklet'>;
