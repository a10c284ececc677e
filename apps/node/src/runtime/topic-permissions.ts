import type { Database } from '../db/client.ts';
import { GatewayAuthService } from '../gateway/auth.ts';
import { isPattern, isValidTopic, topicFamily } from '../gateway/topics.ts';
import { DEFAULT_GATEWAY_LIMITS, type GatewayAuth, type Principal } from '../gateway/types.ts';

/**
 * Which topics a blocklet may publish on. Its manifest lists what it wants (permissions.topics.publish); on top
 * of that a blocklet is a client of the gateway like any other: it publishes as its own DID, under the rules the
 * gateway applies to a client publishing (gateway/auth.ts `canPublish`: `chat:<room>`, and `app:<appDid>:<name>`
 * as that application's topic rules allow — its own `app:<its DID>:*` by default). Topics the node itself writes
 * (`chain:*`, `account:*`, `blocklet:<name>:logs`) are never a blocklet's. The node operator may name trusted
 * blocklets (BLOCKLET_TRUSTED_PUBLISHERS, e.g. the built-in `notification` component delivering to
 * `inbox:<did>`) that publish on any topic their manifest lists except those the node writes.
 */
export class BlockletTopicPermissions {
  constructor(
    readonly rules: Pick<GatewayAuth, 'canPublish' | 'canSubscribe'>,
    readonly trustedPublishers: ReadonlySet<string> = new Set(),
  ) {}

  /** The gateway's own rules, read from the node's database (application topic rules are cached for seconds). */
  static fromDatabase(
    db: Database,
    now: () => number,
    blockletOwner: (name: string) => Promise<string | null>,
    trustedPublishers: Iterable<string>,
  ): BlockletTopicPermissions {
    const rules = new GatewayAuthService({ db, limits: DEFAULT_GATEWAY_LIMITS, now, blockletOwner });
    return new BlockletTopicPermissions(rules, new Set(trustedPublishers));
  }

  /** True when the blocklet `name`, whose DID is `did`, may publish on the concrete topic `topic`. */
  async mayPublish(name: string, did: string, topic: string): Promise<boolean> {
    if (!isValidTopic(topic) || isPattern(topic)) return false;
    const family = topicFamily(topic).kind;
    if (family === 'chain' || family === 'account' || family === 'blockletLogs' || topic.startsWith('blocklet:')) return false;
    if (this.trustedPublishers.has(name)) return true;
    const principal: Principal = { kind: 'did', did, sessionId: `blocklet:${name}`, expiresAtMs: Number.POSITIVE_INFINITY };
    return this.rules.canPublish(principal, topic);
  }

  /**
   * True when the blocklet may hear a concrete topic delivered to one of its topic triggers: the gateway's rule
   * for a client subscribing, as the blocklet's DID (no one else's inbox, no other blocklet's logs). For the
   * trigger scheduler to apply per delivery, so a manifest stored before the schema refused such patterns
   * still hears nothing private.
   */
  async mayHear(name: string, did: string, topic: string): Promise<boolean> {
    if (!isValidTopic(topic) || isPattern(topic)) return false;
    const principal: Principal = { kind: 'did', did, sessionId: `blocklet:${name}`, expiresAtMs: Number.POSITIVE_INFINITY };
    return this.rules.canSubscribe(principal, topic);
  }
}
