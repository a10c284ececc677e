import { OCAP_ERRORS, OcapError, type OcapErrorCode } from '@arc/core';

/** The adapter calls a fault can be aimed at: every call that talks to "the chain". */
export const MOCK_FAULTABLE_METHODS = [
  'info',
  'getLatestBlock',
  'getBlock',
  'getTransaction',
  'getBalance',
  'estimateFee',
  'transfer',
  'broadcast',
  'waitForTransaction',
  'getTokenInfo',
  'getTokenBalance',
  'transferToken',
  'getAsset',
  'transferAsset',
] as const;

export type MockFaultableMethod = (typeof MOCK_FAULTABLE_METHODS)[number];

export interface FailNextOptions {
  /** How many matching calls fail (default 1). */
  times?: number;
  /** Only these calls fail (default: any of MOCK_FAULTABLE_METHODS). */
  methods?: MockFaultableMethod[];
  /** The error's message (default: says it was injected). */
  message?: string;
}

/** Most faults armed at once; arming more is a mistake in the test, reported as INVALID_ARGUMENT. */
export const MOCK_FAULTS_ARMED_MAX = 1_000;

interface Fault {
  code: OcapErrorCode;
  remaining: number;
  methods: ReadonlySet<string> | null;
  message: string;
}

/**
 * Injected failures: `arm` makes the next matching calls throw an OcapError with the chosen code before they do
 * anything (nothing is sent, no idempotency key is used up), so an application can test its retry paths.
 */
export class Faults {
  readonly #armed: Fault[] = [];

  arm(code: OcapErrorCode, options: FailNextOptions = {}): void {
    if (!Object.hasOwn(OCAP_ERRORS, code))
      throw new OcapError('INVALID_ARGUMENT', `failNext takes an OCAP error code, not "${String(code)}".`);
    const times = options.times ?? 1;
    if (!Number.isSafeInteger(times) || times < 1)
      throw new OcapError('INVALID_ARGUMENT', `failNext times is a whole number from 1, not ${times}.`);
    for (const method of options.methods ?? []) {
      if (!(MOCK_FAULTABLE_METHODS as readonly string[]).includes(method)) {
        throw new OcapError('INVALID_ARGUMENT', `failNext cannot aim at "${method}"; use one of ${MOCK_FAULTABLE_METHODS.join(', ')}.`);
      }
    }
    if (this.#armed.length >= MOCK_FAULTS_ARMED_MAX)
      throw new OcapError('INVALID_ARGUMENT', `At most ${MOCK_FAULTS_ARMED_MAX} faults can be armed at once.`);
    const methods = options.methods && options.methods.length > 0 ? new Set<string>(options.methods) : null;
    this.#armed.push({ code, remaining: times, methods, message: options.message ?? `${code} injected by the mock adapter's failNext` });
  }

  /** Throws the first armed fault that matches `method`, if any. */
  check(method: MockFaultableMethod, chainId: string): void {
    const index = this.#armed.findIndex((fault) => fault.methods === null || fault.methods.has(method));
    const fault = this.#armed[index];
    if (!fault) return;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.#armed.splice(index, 1);
    throw new OcapError(fault.code, `${fault.message} (in ${method}).`, { chainId });
  }

  clear(): void {
    this.#armed.length = 0;
  }
}
