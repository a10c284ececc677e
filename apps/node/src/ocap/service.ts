import {
  createBitcoinAdapter,
  createEthereumAdapter,
  createFabricAdapter,
  createMockAdapter,
  createNativeAdapter,
  type IdempotencyStore,
  mockSigner,
  StreamReader,
} from '@arc/adapters';
import type { Capabilities, ChainAdapter, ChainInfo, NodeApi, OcapEvent, StreamCheckpoint, StreamOptions } from '@arc/core';
import { NodeError } from '../errors.ts';
import type { ChainConfig } from './config.ts';

/** How long listing chains waits for one chain's info before calling it unavailable. */
export const CHAIN_INFO_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Bounds of one event page. */
export const EVENT_PAGE_LIMITS = { maxEvents: 500, maxWaitMs: 10_000, idleMs: 100, pollMs: 25 } as const;

export interface ChainSummary {
  name: string;
  adapter: string;
  capabilities: Capabilities;
  /** Null while the chain cannot be reached; `error` says why. */
  info: ChainInfo | null;
  status: 'ok' | 'unavailable';
  error: string | null;
}

export interface EventPage {
  events: OcapEvent[];
  checkpoint: StreamCheckpoint;
}

interface Entry {
  config: ChainConfig;
  adapter: ChainAdapter;
  info: ChainInfo | null;
}

/** What a mock chain gives each dev account on a dev chain, so developers can send at once (10^21 units). */
export const MOCK_DEV_BALANCE = 10n ** 21n;

interface AdapterDeps {
  /** This node's own API, in process. */
  nodeApi: NodeApi;
  idempotencyStore: IdempotencyStore;
  /** Dev chains only: keys whose mock addresses start funded (the same seeds as the ledger's dev accounts). */
  devSecretKeys: Uint8Array[];
}

/** Builds an adapter for one configured chain. The native one calls this node's services in process (no HTTP). */
function createAdapter(config: ChainConfig, deps: AdapterDeps): ChainAdapter {
  const idempotencyStore = deps.idempotencyStore;
  switch (config.adapter) {
    case 'native':
      return createNativeAdapter({ api: deps.nodeApi }, { idempotencyStore });
    case 'mock':
      return createMockAdapter({
        name: config.name,
        blockTimeMs: config.blockTimeMs,
        accounts: {
          ...Object.fromEntries(deps.devSecretKeys.map((key) => [mockSigner(key).address, MOCK_DEV_BALANCE])),
          ...Object.fromEntries(Object.entries(config.balances).map(([address, amount]) => [address, BigInt(amount)])),
        },
        idempotencyStore,
      });
    case 'ethereum':
      return createEthereumAdapter({
        rpcUrl: config.rpcUrl,
        ...(config.chainId === undefined ? {} : { chainId: config.chainId }),
        idempotencyStore,
      });
    case 'bitcoin':
      return createBitcoinAdapter({
        rpcUrl: config.rpcUrl,
        network: config.network,
        user: config.user,
        password: config.password,
        idempotencyStore,
      });
    case 'fabric': {
      // No I/O here: the identity is read and the peer dialled on the first call (an unreachable peer lists as unavailable).
      const { name: _name, adapter: _adapter, ...settings } = config;
      return createFabricAdapter({ ...settings, idempotencyStore });
    }
  }
}

/**
 * The chains this node reaches through OCAP, by name. Procedures (and, later, blocklets) reach every chain
 * through here; an unreachable chain is listed as unavailable, never fatal to the node.
 */
export class OcapHub {
  readonly #chains = new Map<string, Entry>();

  constructor(
    readonly configs: ChainConfig[],
    readonly idempotencyStore: IdempotencyStore,
    readonly devSecretKeys: Uint8Array[] = [],
  ) {}

  /** Creates the adapters once the node's services are up (the native adapter calls them through `nodeApi`). */
  start(nodeApi: NodeApi): void {
    for (const config of this.configs) {
      this.#chains.set(config.name, {
        config,
        adapter: createAdapter(config, { nodeApi, idempotencyStore: this.idempotencyStore, devSecretKeys: this.devSecretKeys }),
        info: null,
      });
    }
  }

  /** The adapter for a chain name, or NOT_FOUND naming the chains there are. */
  adapter(name: string): ChainAdapter {
    const entry = this.#chains.get(name);
    if (!entry) {
      throw new NodeError('NOT_FOUND', `This node has no chain named "${name}"; it has: ${[...this.#chains.keys()].join(', ') || 'none'}.`);
    }
    return entry.adapter;
  }

  /** Every chain with its capabilities and (when reachable) its info. */
  async list(): Promise<ChainSummary[]> {
    return Promise.all(
      [...this.#chains.entries()].map(async ([name, entry]) => {
        const base = { name, adapter: entry.config.adapter, capabilities: entry.adapter.capabilities() };
        try {
          entry.info ??= await withTimeout(
            entry.adapter.info(),
            CHAIN_INFO_TIMEOUT_MS,
            `${name} did not answer within ${CHAIN_INFO_TIMEOUT_MS} ms`,
          );
          return { ...base, info: entry.info, status: 'ok' as const, error: null };
        } catch (error) {
          return { ...base, info: null, status: 'unavailable' as const, error: (error as Error).message };
        }
      }),
    );
  }

  /**
   * One page of a chain's event stream: up to `limit` events, waiting at most `waitMs` for the first, then
   * returning once the stream is idle. The checkpoint resumes right after the last event returned.
   */
  async events(name: string, options: StreamOptions & { limit: number; waitMs: number }): Promise<EventPage> {
    const adapter = this.adapter(name);
    const { limit, waitMs, ...streamOptions } = options;
    const reader = new StreamReader(adapter.events({ ...streamOptions, pollMs: EVENT_PAGE_LIMITS.pollMs }));
    const deadline = Date.now() + waitMs;
    const events: OcapEvent[] = [];
    try {
      while (events.length < limit) {
        const remaining = Math.max(1, deadline - Date.now());
        const event = await reader.next(events.length === 0 ? remaining : Math.min(remaining, EVENT_PAGE_LIMITS.idleMs));
        if (!event) break;
        events.push(event);
      }
      return { events, checkpoint: reader.stream.checkpoint() };
    } finally {
      reader.close();
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#chains.values()].map((entry) => entry.adapter.close()));
  }
}
