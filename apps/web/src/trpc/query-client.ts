import { QueryClient } from '@tanstack/react-query';

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 1000,
        // One quick retry hides a blip; a node that is down shows as down within a second.
        retry: 1,
        retryDelay: 500,
      },
    },
  });
}
