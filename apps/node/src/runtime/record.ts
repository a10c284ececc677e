import { type Effects, storableText } from './host.ts';
import { EFFECTS_REJECTED, GroupCommitter, type WriteOutcome } from './metering.ts';
import { type InvokeOutcome, RUNTIME_LIMITS, type RuntimeDeps, type TriggerKind } from './runtime-types.ts';

/**
 * What happens after a sandbox run: the outcome is stored (group commit, metered), and only when it succeeded and
 * its record committed whole are its held effects applied — publishes, the ledger session's submissions, chain sends.
 */
export class InvocationRecords {
  readonly #committer: GroupCommitter;

  constructor(
    readonly deps: Pick<RuntimeDeps, 'db' | 'ocap' | 'topics' | 'now' | 'log' | 'meterUsage'>,
    /** Ends the invocation's ledger session: submits its transactions (ok) or gives their nonces back. */
    readonly endSession: (invocationId: string, ok: boolean) => Promise<void>,
  ) {
    this.#committer = new GroupCommitter(deps.db, deps.meterUsage);
  }

  /**
   * Stores the outcome (group commit), then — only when it succeeded and its record committed whole — applies what
   * was held: publishes, ledger submissions, chain sends. A record the database refused is stored without its
   * effects and the caller gets EFFECTS_REJECTED.
   */
  async record(name: string, version: string, trigger: TriggerKind, outcome: InvokeOutcome, effects: Effects): Promise<InvokeOutcome> {
    const now = this.deps.now();
    const period = Math.floor(now / RUNTIME_LIMITS.usagePeriodMs) * RUNTIME_LIMITS.usagePeriodMs;
    const { usage } = outcome;
    // The sandbox's error text can carry anything the blocklet threw: made storable, never refused.
    if (!outcome.ok)
      effects.logs.push({ level: 'error', message: storableText(`${outcome.error?.code}: ${outcome.error?.message}`), atMs: now });
    let written: WriteOutcome;
    try {
      written = await this.#committer.write({
        invocationId: outcome.invocationId,
        name,
        version,
        trigger,
        ok: outcome.ok,
        errorCode: outcome.error ? storableText(outcome.error.code) : null,
        cpuMs: usage.cpuMs,
        wallMs: usage.wallMs,
        memoryBytes: usage.memoryBytes,
        atMs: now,
        periodStartMs: period,
        kv: outcome.ok ? effects.kv : new Map(),
        logs: effects.logs,
      });
    } catch (error) {
      await this.endSession(outcome.invocationId, false);
      throw error;
    }
    let recorded = outcome;
    let logs = effects.logs;
    if (written.stored === 'without-effects') {
      const message = `The node could not store this invocation's effects, so none were applied: ${written.reason}`;
      recorded = { ...outcome, ok: false, output: null, error: { code: EFFECTS_REJECTED, message } };
      logs = logs.map((line) => ({ ...line, message: storableText(line.message) }));
    }
    for (const line of logs) this.deps.topics.publish(`blocklet:${name}:logs`, { version, invocationId: outcome.invocationId, ...line });
    if (recorded.ok) for (const { topic, message } of effects.publishes) this.deps.topics.publish(topic, message, name);
    await this.endSession(outcome.invocationId, recorded.ok);
    if (recorded.ok) await this.#broadcastHeld(name, version, outcome.invocationId, effects.chainSends);
    return recorded;
  }

  /**
   * Broadcasts the chain sends of a committed invocation, in order, each under the idempotency key
   * `<invocationId>:<index>` (a retry never sends twice). A chain that refuses one is noted in the blocklet's logs.
   */
  async #broadcastHeld(name: string, version: string, invocationId: string, sends: Effects['chainSends']): Promise<void> {
    for (const [index, send] of sends.entries()) {
      try {
        await this.deps.ocap.adapter(send.chain).broadcast(send.rawTx, { idempotencyKey: `${invocationId}:${index}` });
      } catch (error) {
        const message = storableText(`ocap.send on ${send.chain} failed after the invocation committed: ${(error as Error).message}`);
        this.deps.log(`blocklet ${name}: ${message}`);
        const line = { level: 'error' as const, message, atMs: this.deps.now() };
        await this.deps.db.query(
          'INSERT INTO blocklet_logs (name, version, invocation_id, level, message, at_ms) VALUES ($1, $2, $3, $4, $5, $6)',
          [name, version, invocationId, line.level, line.message, line.atMs],
        );
        this.deps.topics.publish(`blocklet:${name}:logs`, { version, invocationId, ...line });
      }
    }
  }
}
