'use client';

import type { AppRouter } from '@arc/node/router';
import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import { type ReactNode, useState } from 'react';
import { sessionToken } from '../session/token.ts';
import { makeQueryClient } from './query-client.ts';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** Calls batched into one request at most; a longer GET URL is split into several requests. */
const maxBatchItems = 10;
const maxUrlLength = 4000;

/** `authorization: Bearer <token>` while signed in, nothing otherwise; read per request. */
function sessionHeaders(): Record<string, string> {
  const token = sessionToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

let browserQueryClient: QueryClient | undefined;

/** A new client per server render (no data shared between requests); one for the browser's lifetime. */
function getQueryClient(): QueryClient {
  if (typeof window === 'undefined') return makeQueryClient();
  browserQueryClient ??= makeQueryClient();
  return browserQueryClient;
}

export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const queryClient = getQueryClient();
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      // Same origin: the web server's proxy forwards /trpc to the node (src/proxy.ts).
      // Every call carries the signed-in session (the console's procedures require it).
      links: [httpBatchLink({ url: '/trpc', maxItems: maxBatchItems, maxURLLength: maxUrlLength, headers: sessionHeaders })],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
