import { QueryClient } from '@tanstack/react-query';

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Live views are kept fresh by realtime events (src/realtime), not by polling or refetching on focus.
        staleTime: 5000,
        refetchOnWindowFocus: false,
        // One quick retry hides a blip; a node that is down shows as down within a second.
        retry: 1,
        retryDelay: 500,
      },
    },
  });
}
