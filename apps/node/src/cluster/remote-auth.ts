import { type GatewayAuth, GatewayError, type GatewayErrorCode, type Principal } from '../gateway/types.ts';
import { type AuthMethod, CLUSTER_LIMITS, type PrimaryMessage, type WorkerMessage } from './messages.ts';

/**
 * The gateway's rules for a gateway worker, answered by the full node of the cluster (sessions, API keys and topic
 * rules live in its database) over the cluster's IPC channel. Logging in happens through the node's API.
 */
export class RemoteAuth implements GatewayAuth {
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  #nextId = 1;

  constructor(readonly send: (message: WorkerMessage) => void) {}

  /** Feed every message from the primary here; auth replies settle their question. */
  onMessage(message: PrimaryMessage): void {
    if (message.type !== 'arc:auth-reply') return;
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.ok) pending.resolve(message.value);
    else
      pending.reject(
        message.code === null ? new Error(message.message) : new GatewayError(message.code as GatewayErrorCode, message.message),
      );
  }

  challenge(): { nonce: string; timeMs: number; expiresAtMs: number } {
    throw new GatewayError('NOT_FOUND', 'Ask for a challenge through the node API (gateway.challenge).');
  }

  async login(): Promise<{ token: string; principal: Principal }> {
    throw new GatewayError('NOT_FOUND', 'Log in through the node API (gateway.login).');
  }

  resolve(credential: string | null | undefined): Promise<Principal> {
    if (credential === null || credential === undefined || credential === '') return Promise.resolve({ kind: 'anonymous' });
    return this.#ask('resolve', [credential]) as Promise<Principal>;
  }

  canSubscribe(principal: Principal, topic: string): Promise<boolean> {
    return this.#ask('canSubscribe', [principal, topic]) as Promise<boolean>;
  }

  canPublish(principal: Principal, topic: string): Promise<boolean> {
    return this.#ask('canPublish', [principal, topic]) as Promise<boolean>;
  }

  #ask(method: AuthMethod, args: unknown[]): Promise<unknown> {
    if (this.#pending.size >= CLUSTER_LIMITS.authPendingMax)
      return Promise.reject(new GatewayError('RATE_LIMITED', 'Too many requests wait for the node; retry.'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`the full node did not answer ${method} within ${CLUSTER_LIMITS.authTimeoutMs} ms`));
      }, CLUSTER_LIMITS.authTimeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      this.send({ type: 'arc:auth', id, method, args });
    });
  }
}

/** The full node's side: answers a gateway worker's question with its own auth. */
export async function answerAuth(auth: GatewayAuth, message: Extract<WorkerMessage, { type: 'arc:auth' }>): Promise<PrimaryMessage> {
  try {
    const args = message.args as [never, never];
    const value =
      message.method === 'resolve'
        ? await auth.resolve(args[0])
        : message.method === 'canSubscribe'
          ? await auth.canSubscribe(args[0], args[1])
          : await auth.canPublish(args[0], args[1]);
    return { type: 'arc:auth-reply', id: message.id, ok: true, value };
  } catch (error) {
    const code = error instanceof GatewayError ? error.code : null;
    return { type: 'arc:auth-reply', id: message.id, ok: false, code, message: (error as Error).message };
  }
}
