/**
 * How often live views ask the node again. Polling until the realtime gateway (Socket.io) lands;
 * then views subscribe to new blocks instead.
 */
export const refreshIntervalMs = 2000;

/** Query options for data that changes with every block. */
export const liveQuery = { refetchInterval: refreshIntervalMs } as const;

/** The native token, as fixed by the node's API contract (apps/node/API.md). */
export const nativeToken = { symbol: 'ABT', decimals: 18 } as const;
