import type { ErrorSections } from './spec.ts';

/** Chain adapters' refusals (packages/core/src/ocap): one taxonomy for every chain. */
export const OCAP_SECTION = {
  ADAPTER_UNSUPPORTED: {
    families: ['ocap'],
    httpStatus: 405,
    trpcCode: 'METHOD_NOT_SUPPORTED',
    retriable: false,
    sentence: "The adapter does not offer this feature; check the chain's capabilities() before calling it.",
  },
  INVALID_ARGUMENT: {
    families: ['ocap'],
    httpStatus: 400,
    trpcCode: 'BAD_REQUEST',
    retriable: false,
    sentence: 'An argument no chain would accept (a negative amount, an empty key, a malformed hash); fix the call.',
  },
  INVALID_ADDRESS: {
    families: ['ocap'],
    httpStatus: 400,
    trpcCode: 'BAD_REQUEST',
    retriable: false,
    sentence: 'The address is not an address of this chain (checksum, network or length); check it.',
  },
  KNOWN_TRANSACTION: {
    families: ['ocap'],
    httpStatus: 409,
    trpcCode: 'CONFLICT',
    retriable: false,
    sentence: 'The chain holds this exact transaction already; wait for it instead of sending it again.',
  },
  REVERTED: {
    families: ['ocap'],
    httpStatus: 422,
    trpcCode: 'UNPROCESSABLE_CONTENT',
    retriable: false,
    sentence: 'The transaction was mined but failed (a contract revert, a ledger rule); fix its cause.',
  },
  IDEMPOTENCY_CONFLICT: {
    families: ['ocap'],
    httpStatus: 409,
    trpcCode: 'CONFLICT',
    retriable: false,
    sentence: 'This idempotency key was used before with a different payload; use a new key.',
  },
  TIMEOUT: {
    families: ['ocap', 'client'],
    httpStatus: 504,
    trpcCode: 'GATEWAY_TIMEOUT',
    retriable: true,
    sentence: 'No answer came in time; the operation may still complete, so check before repeating a write.',
  },
  CHECKPOINT_INVALID: {
    families: ['ocap'],
    httpStatus: 422,
    trpcCode: 'UNPROCESSABLE_CONTENT',
    retriable: false,
    sentence: 'The checkpoint no longer matches the chain (a reorg deeper than the stream repairs); start from a fresh one.',
  },
} as const satisfies ErrorSections;
