import { OcapError } from '@arc/core';
import { FetchRequest, JsonRpcProvider, Network } from 'ethers';
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

/**
 * The adapter's connection: one ethers JsonRpcProvider with a static network (ethers never polls for the
 * network) and no batch stall. Every call maps node errors onto OcapError. When the chain id is not given,
 * it is asked once with a bounded request before the provider is built, so an unreachable node fails fast.
 */
export class EthereumRpc {
  #provider: JsonRpcProvider | undefined;
  #connecting: Promise<JsonRpcProvider> | undefined;
  #chainId: number | undefined;
  #closed = false;
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

  /** One JSON-RPC call, errors mapped onto OcapError. */
  async call<T>(method: string, params: unknown[]): Promise<T> {
    const provider = this.#provider ?? (await this.connect());
    try {
      return (await provider.send(method, params)) as T;
    } catch (error) {
      throw toOcapError(error, { action: method, chainId: this.caip2 });
    }
  }

  close(): void {
    this.#closed = true;
    this.#provider?.destroy();
  }

  #build(chainId: number): JsonRpcProvider {
    this.#chainId = chainId;
    const network = Network.from(chainId);
    return new JsonRpcProvider(this.#request(), network, { staticNetwork: network, batchStallTime: 0, batchMaxCount: this.#batchMaxCount });
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
