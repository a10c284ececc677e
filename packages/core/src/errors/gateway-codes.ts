import type { ErrorSections } from './spec.ts';

/** The gateway's refusals on Socket.io, MQTT, DDP and its API (apps/node/src/gateway). */
export const GATEWAY_SECTION = {
  BAD_PAYLOAD: {
    families: ['gateway'],
    httpStatus: 400,
    trpcCode: 'BAD_REQUEST',
    retriable: false,
    sentence: 'The message is not one the gateway reads (not JSON, too deep, not a topic); fix it.',
  },
  SESSION_EXPIRED: {
    families: ['gateway'],
    httpStatus: 401,
    trpcCode: 'UNAUTHORIZED',
    retriable: false,
    sentence: 'The session expired; log in again and send the request with the new token.',
  },
  TOO_LARGE: {
    families: ['gateway'],
    httpStatus: 413,
    trpcCode: 'PAYLOAD_TOO_LARGE',
    retriable: false,
    sentence: 'The message (or the list) is over its bound; send less.',
  },
  TOO_MANY_SUBSCRIPTIONS: {
    families: ['gateway'],
    httpStatus: 429,
    trpcCode: 'TOO_MANY_REQUESTS',
    retriable: false,
    sentence: 'The connection (or the node, or the address) holds its most subscriptions; unsubscribe from some first.',
  },
  SLOW_CONSUMER: {
    families: ['gateway'],
    httpStatus: 429,
    trpcCode: 'TOO_MANY_REQUESTS',
    retriable: true,
    sentence: 'The connection read too slowly and was cut; reconnect and resume, reading faster.',
  },
  RESTARTING: {
    families: ['gateway'],
    httpStatus: 503,
    trpcCode: 'SERVICE_UNAVAILABLE',
    retriable: true,
    sentence: 'The node is restarting; reconnect and resume.',
  },
  UPSTREAM_UNAVAILABLE: {
    families: ['gateway'],
    httpStatus: 502,
    trpcCode: 'BAD_GATEWAY',
    retriable: true,
    sentence: 'The full node behind this gateway process did not answer; send the same request again.',
  },
} as const satisfies ErrorSections;
