import { toHex } from '@arc/core';
import type { Database } from '../db/client.ts';
import type { BlockCommitted, Ledger } from '../ledger/ledger.ts';
import type { TopicBus, TopicMessage } from '../runtime/topics.ts';
import { type GatewayHub, isNodeLocalTopic } from './hub.ts';
import { isPattern, isValidTopic } from './topics.ts';
import type { TopicEvent } from './types.ts';

/** Marks TopicBus messages the gateway put there, so the bus bridge does not carry them back. */
const FROM_GATEWAY = '#gateway';

/**
 * Carries the ledger and the runtime's TopicBus into the hub, and client publishes on `app:*` into the TopicBus
 * (so blocklet topic triggers hear them). Events are bridged in commit order, one block at a time.
 */
export class HubBridges {
  #chain: Promise<void> = Promise.resolve();
  #unsubscribeBus: (() => void) | null = null;
  #unsubscribeApp: (() => void) | null = null;

  constructor(
    readonly hub: GatewayHub,
    readonly deps: { ledger: Ledger; db: Database; bus: TopicBus; log: (line: string) => void },
  ) {}

  start(): void {
    this.deps.ledger.events.on('block', this.#onBlock);
    this.#unsubscribeBus = this.deps.bus.subscribe('*', this.#onBus);
    this.#unsubscribeApp = this.hub.subscribeUnchecked('app:*', this.#onApp);
  }

  /** Resolves once every block seen so far is bridged. */
  idle(): Promise<void> {
    return this.#chain;
  }

  stop(): void {
    this.deps.ledger.events.off('block', this.#onBlock);
    this.#unsubscribeBus?.();
    this.#unsubscribeApp?.();
  }

  readonly #onBlock = (block: BlockCommitted) => {
    this.#chain = this.#chain
      .then(() => this.#bridgeBlock(block))
      .catch((error: unknown) => {
        this.deps.log(`the gateway could not bridge block ${block.header.height}: ${(error as Error).message}`);
      });
  };

  async #bridgeBlock(block: BlockCommitted): Promise<void> {
    const { height, timeMs } = block.header;
    await this.hub.publishAs('chain:blocks', { height, hash: toHex(block.hash), txCount: block.txHashes.length, timeMs }, null);
    const failed = new Map(block.failed.map((f) => [f.hashHex, f]));
    const failedOf = (hash: string) => {
      const f = failed.get(hash);
      return f ? { code: f.code, message: f.message } : null;
    };
    for (const hash of block.txHashes) {
      const f = failed.get(hash);
      // A failed transaction is in the block (its fee was charged) but did nothing else: its own terminal status.
      const status = f ? { hash, status: 'failed', height, code: f.code, message: f.message } : { hash, status: 'committed', height };
      await this.hub.publishAs(`chain:tx:${hash}`, status, null);
    }
    for (const r of block.rejected)
      await this.hub.publishAs(
        `chain:tx:${r.hashHex}`,
        { hash: r.hashHex, status: 'rejected', height, code: r.code, message: r.message },
        null,
      );
    if (block.txHashes.length === 0) return;
    // The producer hands over what it committed; only a block that came without it is read back.
    const rows =
      block.txs?.map((t) => ({ hash: t.hashHex, type: t.type as string, accounts: t.accounts })) ??
      (await this.deps.db.query<{ hash: string; type: string; accounts: string[] }>(
        `SELECT encode(hash, 'hex') AS hash, type, accounts FROM txs WHERE height = $1 ORDER BY idx`,
        [height],
      ));
    for (const row of rows) {
      const summary = { hash: row.hash, type: row.type, height, failed: failedOf(row.hash) };
      for (const did of new Set(row.accounts)) await this.hub.publishAs(`account:${did}`, summary, null);
    }
  }

  /** Blocklet publishes and logs, into the hub (not what the gateway itself put on the bus). */
  readonly #onBus = (message: TopicMessage) => {
    if (message.origin === FROM_GATEWAY) return;
    if (!isValidTopic(message.topic) || isPattern(message.topic)) return;
    // A blocklet may not speak for the chain: those topics come from the ledger only.
    if (message.origin !== undefined && isNodeLocalTopic(message.topic)) return;
    void this.hub
      .publishAs(message.topic, message.message, message.origin === undefined ? null : `blocklet:${message.origin}`)
      .catch((error: unknown) => {
        this.deps.log(`the gateway could not carry ${message.topic}: ${(error as Error).message}`);
      });
  };

  /** Client publishes on app topics, onto the bus for blocklet topic triggers (not what came from the bus). */
  readonly #onApp = (event: TopicEvent) => {
    if (event.from?.startsWith('blocklet:')) return;
    this.deps.bus.publish(event.topic, event.payload, FROM_GATEWAY);
  };
}
