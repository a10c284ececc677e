import type { InvokeRequest, InvokeResult, SandboxCode, SandboxLimits, SandboxPool } from './types.ts';

/** When a node starts its sandbox's workers (NodeOptions.sandboxStart, BLOCKLET_WORKERS_START). */
export const SANDBOX_STARTS = ['listen', 'first-call'] as const;
export type SandboxStart = (typeof SANDBOX_STARTS)[number];

/**
 * A sandbox pool whose worker processes start on `begin()` (the node calls it once it listens) or at the first call
 * that needs them, whichever comes first. On two cores, the workers booting beside the database's start made a node
 * listen ~0.4 s later (median of five restarts: 3.34 s against 2.92 s); a call that comes before they are up waits
 * for them. A start that fails is tried again by the next call that needs the workers.
 */
export class DeferredSandboxPool implements SandboxPool {
  #pool: SandboxPool | null = null;
  #starting: Promise<SandboxPool> | null = null;
  #closed = false;

  constructor(private readonly create: () => Promise<SandboxPool>) {}

  /** Starts the workers (once); answers the pool when they are up. */
  begin(): Promise<SandboxPool> {
    if (this.#closed) return Promise.reject(new Error('the blocklet sandbox is closed'));
    if (!this.#starting) {
      const starting = this.create().then(
        async (pool) => {
          // Closed while the workers booted: they go at once.
          if (this.#closed) {
            await pool.close();
            throw new Error('the blocklet sandbox is closed');
          }
          this.#pool = pool;
          return pool;
        },
        (error: unknown) => {
          if (this.#starting === starting) this.#starting = null;
          throw error;
        },
      );
      this.#starting = starting;
    }
    return this.#starting;
  }

  async invoke(request: InvokeRequest): Promise<InvokeResult> {
    return (this.#pool ?? (await this.begin())).invoke(request);
  }

  async warm(code: SandboxCode, limits: SandboxLimits): Promise<void> {
    return (this.#pool ?? (await this.begin())).warm(code, limits);
  }

  async evict(deployment: string): Promise<void> {
    // Nothing to drop before the workers have started.
    if (this.#pool) await this.#pool.evict(deployment);
  }

  stats(): ReturnType<SandboxPool['stats']> {
    return this.#pool?.stats() ?? { workers: 0, isolates: 0, queued: 0, restarts: 0 };
  }

  workerPids(): number[] {
    return this.#pool?.workerPids() ?? [];
  }

  async close(): Promise<void> {
    this.#closed = true;
    const starting = this.#starting;
    if (this.#pool) await this.#pool.close();
    else if (starting) await starting.then((pool) => pool.close()).catch(() => undefined);
  }
}
