'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../trpc/react.tsx';
import { liveQuery } from './live.ts';

/** The chain's head, supply and mempool, refreshed with every block; shared by the header and pages. */
export function useChainInfo() {
  const trpc = useTRPC();
  return useQuery(trpc.chain.info.queryOptions(undefined, liveQuery));
}
