import { clientKeyOf } from './auth.ts';
import { GatewayError, type Principal } from './types.ts';

export interface SubscriptionBudgetLimits {
  /** Subscriptions of the whole node. */
  totalMax: number;
  /** Subscriptions of one client address (clientKeyOf: an IPv6 /64 counts as one). */
  perIpMax: number;
  /** Subscriptions of anonymous principals in all. */
  anonymousMax: number;
}

/**
 * Counts subscriptions node-wide, per client address and for anonymous principals, across every protocol.
 * reserve() checks and counts in one synchronous step, so subscribes pipelined in one write cannot all pass a
 * check made before any of them was counted; the caller releases on unsubscribe or when the subscribe fails.
 */
export class SubscriptionBudget {
  #total = 0;
  #anonymous = 0;
  readonly #perIp = new Map<string, number>();

  constructor(readonly limits: SubscriptionBudgetLimits) {}

  /** Counts one subscription, or throws TOO_MANY_SUBSCRIPTIONS; the answer gives it back (once). */
  reserve(principal: Principal, ip: string): () => void {
    const { totalMax, perIpMax, anonymousMax } = this.limits;
    const anonymous = principal.kind === 'anonymous';
    const key = ip === '' ? null : clientKeyOf(ip);
    if (this.#total >= totalMax)
      throw new GatewayError('TOO_MANY_SUBSCRIPTIONS', `The node holds at most ${totalMax} subscriptions; try again later.`);
    if (anonymous && this.#anonymous >= anonymousMax)
      throw new GatewayError('TOO_MANY_SUBSCRIPTIONS', `Anonymous clients hold ${anonymousMax} subscriptions in all; log in to subscribe.`);
    if (key !== null && (this.#perIp.get(key) ?? 0) >= perIpMax)
      throw new GatewayError('TOO_MANY_SUBSCRIPTIONS', `One client address holds at most ${perIpMax} subscriptions.`);
    this.#total += 1;
    if (anonymous) this.#anonymous += 1;
    if (key !== null) this.#perIp.set(key, (this.#perIp.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total -= 1;
      if (anonymous) this.#anonymous -= 1;
      if (key === null) return;
      const left = (this.#perIp.get(key) ?? 1) - 1;
      if (left === 0) this.#perIp.delete(key);
      else this.#perIp.set(key, left);
    };
  }

  /** What is counted now (tests and /health). */
  stats(): { total: number; anonymous: number; addresses: number } {
    return { total: this.#total, anonymous: this.#anonymous, addresses: this.#perIp.size };
  }
}
