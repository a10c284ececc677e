import { StreamReader } from '@arc/adapters';
import { type BlockletTrigger, canonicalJson, type OcapEvent, type StreamCheckpoint, serializeEvent } from '@arc/core';
import { Cron } from 'croner';
import type { Database } from '../../db/client.ts';
import type { OcapHub } from '../../ocap/service.ts';
import type { ExecutorElection } from '../executors/election.ts';
import type { BlockletRuntime } from '../service.ts';
import { type TopicBus, topicMatches } from '../topics.ts';

/** Bounds of event triggers: retries of a failing handler, and how often streams look for blocks. */
export const TRIGGER_LIMITS = { attemptsMax: 5, retryBaseMs: 500, retryMaxMs: 30_000, pollMs: 500, idleReadMs: 1000 } as const;

interface Armed {
  stop: () => void;
  /** Cron triggers: the job (its next run; `trigger()` fires it now). */
  cron?: Cron;
  /** Chain triggers: this node watches the blocklet's chain events (it claims them in executor elections). */
  chain?: true;
}

/** The key a chain trigger keeps its checkpoint under: the same trigger in a new version resumes where it was. */
export function chainTriggerId(trigger: Extract<BlockletTrigger, { type: 'chain' }>): string {
  return `chain:${trigger.chain}:${trigger.confirmations}:${canonicalJson(trigger.filter)}:${trigger.handler}`;
}

/** The dedup key of a chain event: the same event (or its removal) redelivered after a restart keeps its key. */
export function dedupKey(chain: string, event: OcapEvent): string {
  return `${chain}:${event.position}:${event.txHash}:${event.removed ? 'removed' : 'added'}`;
}

/**
 * Runs the live version's cron, topic and chain-event triggers of every blocklet, and re-arms a blocklet's
 * triggers when its live version changes. Chain events are delivered at least once, in order, with a dedup key;
 * the checkpoint advances only past events whose handler succeeded (or failed TRIGGER_LIMITS.attemptsMax times,
 * which is logged).
 */
export class TriggerScheduler {
  readonly #armed = new Map<string, Armed[]>();
  #stopped = false;

  constructor(
    readonly runtime: BlockletRuntime,
    readonly deps: {
      db: Database;
      ocap: OcapHub;
      topics: TopicBus;
      now: () => number;
      log: (line: string) => void;
      /** On a chain run by validators: which of them runs each chain-event invocation (runtime/executors). */
      election?: ExecutorElection;
    },
  ) {
    if (deps.election) deps.election.watches = (name) => (this.#armed.get(name) ?? []).some((a) => a.chain);
  }

  async start(): Promise<void> {
    this.runtime.events.on('live', this.#onLive);
    const names = await this.deps.db.query<{ name: string }>("SELECT DISTINCT name FROM blocklet_aliases WHERE alias = 'live'");
    for (const { name } of names) await this.arm(name);
  }

  stop(): void {
    this.#stopped = true;
    this.runtime.events.off('live', this.#onLive);
    for (const name of [...this.#armed.keys()]) this.disarm(name);
  }

  readonly #onLive = (name: string) => {
    void this.arm(name).catch((error: Error) => this.deps.log(`blocklet ${name}: triggers not armed: ${error.message}`));
  };

  /** (Re)arms the triggers of a blocklet's live version. */
  async arm(name: string): Promise<void> {
    this.disarm(name);
    if (this.#stopped) return;
    const { manifest } = await this.runtime.manifestOf(name, 'live');
    const armed: Armed[] = [];
    for (const trigger of manifest.triggers) {
      if (trigger.type === 'cron') armed.push(this.#cron(name, trigger));
      else if (trigger.type === 'topic') {
        if (!manifest.permissions.topics.subscribe.some((p) => topicMatches(p, trigger.topic) || p === trigger.topic)) {
          this.deps.log(`blocklet ${name}: topic trigger ${trigger.topic} is not in permissions.topics.subscribe; not armed`);
          continue;
        }
        armed.push(this.#topic(name, trigger));
      } else armed.push(this.#chain(name, trigger, manifest.limits.timeoutMs));
    }
    this.#armed.set(name, armed);
  }

  /** The armed cron jobs of a blocklet (for status pages and tests). */
  cronJobs(name: string): Cron[] {
    return (this.#armed.get(name) ?? []).flatMap((a) => (a.cron ? [a.cron] : []));
  }

  disarm(name: string): void {
    for (const armed of this.#armed.get(name) ?? []) armed.stop();
    this.#armed.delete(name);
  }

  #cron(name: string, trigger: Extract<BlockletTrigger, { type: 'cron' }>): Armed {
    const job = new Cron(trigger.schedule, { timezone: 'UTC', protect: true }, async () => {
      await this.runtime
        .invoke(name, { handler: trigger.handler, input: { schedule: trigger.schedule, scheduledAtMs: this.deps.now() }, trigger: 'cron' })
        .catch((error: Error) => this.deps.log(`blocklet ${name}: cron ${trigger.schedule} failed: ${error.message}`));
    });
    return { stop: () => job.stop(), cron: job };
  }

  #topic(name: string, trigger: Extract<BlockletTrigger, { type: 'topic' }>): Armed {
    const unsubscribe = this.deps.topics.subscribe(trigger.topic, (message) => {
      // A blocklet does not hear its own publishes (that would loop).
      if (message.origin === name) return;
      // Checked per delivery: a manifest stored before the schema refused private patterns still hears nothing
      // a client with the blocklet's DID could not subscribe to (another DID's inbox, another blocklet's logs).
      void this.runtime
        .mayHear(name, message.topic)
        .then((allowed) => {
          if (!allowed) return;
          return this.runtime.invoke(name, {
            handler: trigger.handler,
            input: { topic: message.topic, message: message.message, publishedAtMs: message.publishedAtMs },
            trigger: 'topic',
          });
        })
        .catch((error: Error) => this.deps.log(`blocklet ${name}: topic ${message.topic} failed: ${error.message}`));
    });
    return { stop: unsubscribe };
  }

  #chain(name: string, trigger: Extract<BlockletTrigger, { type: 'chain' }>, timeoutMs: number): Armed {
    const triggerId = chainTriggerId(trigger);
    let stopped = false;
    let reader: StreamReader | undefined;
    const run = async () => {
      const [saved] = await this.deps.db.query<{ checkpoint: StreamCheckpoint | string | null }>(
        'SELECT checkpoint FROM blocklet_trigger_state WHERE name = $1 AND trigger_id = $2',
        [name, triggerId],
      );
      const checkpoint =
        typeof saved?.checkpoint === 'string' ? (JSON.parse(saved.checkpoint) as StreamCheckpoint) : (saved?.checkpoint ?? undefined);
      const adapter = this.deps.ocap.adapter(trigger.chain);
      reader = new StreamReader(
        adapter.events({
          ...(checkpoint ? { checkpoint } : {}),
          confirmations: trigger.confirmations,
          filter: trigger.filter,
          pollMs: TRIGGER_LIMITS.pollMs,
        }),
      );
      if (!checkpoint) await this.#saveCheckpoint(name, triggerId, reader.stream.checkpoint());
      while (!stopped) {
        const event = await reader.next(TRIGGER_LIMITS.idleReadMs);
        if (!event) continue;
        await this.#deliver(name, trigger, event, timeoutMs, () => stopped);
        await this.#saveCheckpoint(name, triggerId, reader.stream.checkpoint());
      }
    };
    void (async () => {
      while (!stopped) {
        try {
          await run();
        } catch (error) {
          if (stopped) return;
          this.deps.log(`blocklet ${name}: chain trigger on ${trigger.chain} stopped: ${(error as Error).message}; restarting`);
          reader?.close();
          await new Promise((resolve) => setTimeout(resolve, TRIGGER_LIMITS.retryMaxMs / 10));
        }
      }
    })();
    return {
      stop: () => {
        stopped = true;
        reader?.close();
      },
      chain: true,
    };
  }

  async #deliver(
    name: string,
    trigger: Extract<BlockletTrigger, { type: 'chain' }>,
    event: OcapEvent,
    timeoutMs: number,
    stopped: () => boolean,
  ): Promise<void> {
    const key = dedupKey(trigger.chain, event);
    const [seen] = await this.deps.db.query('SELECT 1 FROM blocklet_dedup WHERE name = $1 AND dedup_key = $2', [name, key]);
    if (seen) return;
    const election = this.deps.election;
    // An event of this node's own chain is ranked under the seed its block leaves; any other chain's under genesis's.
    const seedHeight = this.deps.ocap.configs.find((c) => c.name === trigger.chain)?.adapter === 'native' ? event.blockHeight : 0;
    if (election && (await election.decide(name, key, seedHeight, timeoutMs)) === 'skip') {
      await this.#delivered(name, key);
      return;
    }
    for (let attempt = 1; attempt <= TRIGGER_LIMITS.attemptsMax && !stopped(); attempt += 1) {
      const outcome = await this.runtime
        .invoke(name, {
          handler: trigger.handler,
          input: { chain: trigger.chain, dedupKey: key, event: serializeEvent(event) },
          trigger: 'chain',
        })
        .catch((error: Error) => ({ ok: false, error: { code: 'INTERNAL', message: error.message } }));
      await election?.reportResult(name, key, outcome);
      if (outcome.ok) {
        await this.#delivered(name, key);
        return;
      }
      if (attempt === TRIGGER_LIMITS.attemptsMax) {
        this.deps.log(`blocklet ${name}: event ${key} failed ${attempt} times (${outcome.error?.code}); moving on`);
        return;
      }
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(TRIGGER_LIMITS.retryMaxMs, TRIGGER_LIMITS.retryBaseMs * 2 ** (attempt - 1))),
      );
    }
  }

  async #delivered(name: string, key: string): Promise<void> {
    await this.deps.db.query('INSERT INTO blocklet_dedup (name, dedup_key, at_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      name,
      key,
      this.deps.now(),
    ]);
  }

  async #saveCheckpoint(name: string, triggerId: string, checkpoint: StreamCheckpoint): Promise<void> {
    await this.deps.db.query(
      `INSERT INTO blocklet_trigger_state (name, trigger_id, checkpoint, updated_at_ms) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT (name, trigger_id) DO UPDATE SET checkpoint = $3::jsonb, updated_at_ms = $4`,
      [name, triggerId, JSON.stringify(checkpoint), this.deps.now()],
    );
  }
}
