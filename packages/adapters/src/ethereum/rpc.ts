import { OcapError } from '@arc/core';
import { FetchRequest, type JsonRpcError, type JsonRpcPayload, JsonRpcProvider, type JsonRpcResult, Network } from 'ethers';
import { toOcapError } from './errors.ts';

/** Bound on one JSON-RPC request (HTTP round trip), so no call hangs on a stuck node. */
export const RPC_REQUEST_TIMEOUT_MS_DEFAULT = 30_000;
/** Requests issued in the same tick are sent as one JSON-RPC batch of at most this many. */
export const RPC_BATCH_MAX_COUNT_DEFAULT = 100;

export interface EthereumRpcOptions {
  /** Known chain id: no eth_chainId round trip. Absent: asked once, on first use. */
  chainId?: number;
  requestTimeoutMs?: number;
  batchMaxCount?: number;
}

interface Queued {
  payload: JsonRpcPayload;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * The adapter's connection: one ethers JsonRpcProvider with a static network (ethers never polls for the
 * network). The adapter's own calls skip ethers' request queue (it waits a timer tick before each send):
 * calls made in the same tick leave together at the end of the tick, one request or one JSON-RPC batch,
 * through the provider's transport, with ethers' own error decoding; every error then maps onto OcapError.
 * When the chain id is not given, it is asked once with a bounded request before the provider is built, so
 * an unreachable node fails fast instead of ethers retrying its network detection forever.
 */
export class EthereumRpc {
  #provider: JsonRpcProvider | undefined;
  #connecting: Promise<JsonRpcProvider> | undefined;
  #chainId: number | undefined;
  #closed = false;
  #nextId = 1;
  #queue: Queued[] = [];
  readonly #timeoutMs: number;
  readonly #batchMaxCount: number;

  constructor(
    readonly rpcUrl: string,
    options: EthereumRpcOptions = {},
  ) {
    this.#timeoutMs = options.requestTimeoutMs ?? RPC_REQUEST_TIMEOUT_MS_DEFAULT;
    this.#batchMaxCount = options.batchMaxCount ?? RPC_BATCH_MAX_COUNT_DEFAULT;
    if (options.chainId !== undefined) this.#provider = this.#build(options.chainId);
  }

  /** The chain id once known (given, or after the first call). */
  get chainId(): number | undefined {
    return this.#chainId;
  }

  /** The CAIP-2 id once the chain id is known. */
  get caip2(): string | undefined {
    return this.#chainId === undefined ? undefined : `eip155:${this.#chainId}`;
  }

  /** The provider; throws UNAVAILABLE before the chain id is known (call `connect()` or any async method first). */
  get provider(): JsonRpcProvider {
    if (this.#provider) return this.#provider;
    throw new OcapError('UNAVAILABLE', 'The Ethereum adapter has not reached its node yet; await info() or native.connect() first.');
  }

  /** Resolves the provider, asking the node for its chain id first when it was not configured. */
  connect(): Promise<JsonRpcProvider> {
    if (this.#provider) return Promise.resolve(this.#provider);
    if (this.#closed) return Promise.reject(new OcapError('UNAVAILABLE', 'The Ethereum adapter was closed.'));
    this.#connecting ??= this.#detectChainId().then(
      (chainId) => {
        this.#provider ??= this.#build(chainId);
        return this.#provider;
      },
      (error: unknown) => {
        this.#connecting = undefined;
        throw toOcapError(error, { action: 'eth_chainId' });
      },
    );
    return this.#connecting;
  }

  /** One JSON-RPC call, errors mapped onto OcapError. Calls made in the same tick travel as one batch. */
  call<T>(method: string, params: unknown[]): Promise<T> {
    if (this.#closed) return Promise.reject(new OcapError('UNAVAILABLE', `The Ethereum adapter was closed (${method}).`));
    if (!this.#provider) return this.connect().then(() => this.call<T>(method, params));
    const payload: JsonRpcPayload = { jsonrpc: '2.0', id: this.#nextId++, method, params };
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ payload, resolve: resolve as (result: unknown) => void, reject });
      if (this.#queue.length === 1) queueMicrotask(() => this.#flush());
    });
  }

  #flush(): void {
    const queued = this.#queue;
    this.#queue = [];
    for (let start = 0; start < queued.length; start += this.#batchMaxCount) {
      void this.#sendBatch(queued.slice(start, start + this.#batchMaxCount));
    }
  }

  async #sendBatch(batch: Queued[]): Promise<void> {
    const provider = this.provider;
    const chainId = this.caip2;
    let responses: (JsonRpcResult | JsonRpcError)[];
    try {
      responses = await provider._send(batch.length === 1 ? (batch[0] as Queued).payload : batch.map((q) => q.payload));
    } catch (error) {
      for (const q of batch) q.reject(toOcapError(error, { action: q.payload.method, chainId }));
      return;
    }
    const byId = new Map(responses.map((r) => [r.id, r]));
    for (const q of batch) {
      const response = byId.get(q.payload.id);
      if (!response) {
        q.reject(new OcapError('INTERNAL', `The node sent no answer to ${q.payload.method} in its batch response.`, { chainId }));
      } else if ('error' in response) {
        q.reject(toOcapError(provider.getRpcError(q.payload, response), { action: q.payload.method, chainId }));
      } else {
        q.resolve(response.result);
      }
    }
  }

  close(): void {
    this.#closed = true;
    this.#provider?.destroy();
  }

  #build(chainId: number): JsonRpcProvider {
    this.#chainId = chainId;
    const network = Network.from(chainId);
    // cacheTimeout -1: ethers would otherwise answer a repeated call (a nonce!) from a 250 ms cache.
    return new JsonRpcProvider(this.#request(), network, {
      staticNetwork: network,
      batchStallTime: 0,
      batchMaxCount: this.#batchMaxCount,
      cacheTimeout: -1,
    });
  }

  #request(): FetchRequest {
    const request = new FetchRequest(this.rpcUrl);
    request.timeout = this.#timeoutMs;
    return request;
  }

  async #detectChainId(): Promise<number> {
    const request = this.#request();
    request.body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] });
    request.setHeader('content-type', 'application/json');
    const response = await request.send();
    response.assertOk();
    const result = (response.bodyJson as { result?: unknown }).result;
    if (typeof result !== 'string' || !/^0x[0-9a-fA-F]+$/.test(result)) {
      throw new OcapError('INTERNAL', `${this.rpcUrl} answered eth_chainId with ${JSON.stringify(response.bodyJson)}, not a chain id.`);
    }
    return Number(BigInt(result));
  }
}
