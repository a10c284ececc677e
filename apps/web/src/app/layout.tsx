import type { Metadata } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { ConnectionBanner } from '../components/connection-banner.tsx';
import { SiteFooter } from '../components/site-footer.tsx';
import { SiteHeader } from '../components/site-header.tsx';
import { ThemeScript } from '../components/theme-script.tsx';
import { Toaster } from '../components/toast.tsx';
import { env } from '../env.ts';
import { RealtimeProvider } from '../realtime/provider.tsx';
import { SessionProvider } from '../session/index.ts';
import { TRPCReactProvider } from '../trpc/react.tsx';
import { WalletProvider } from '../wallet/wallet-provider.tsx';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Arc', template: '%s · Arc' },
  description: 'Arc: blocklets to deploy and use, a live explorer of the chain, a wallet in the page and a developer console.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Per request: NODE_PUBLIC_URL is the running server's, so one build serves any node.
  await connection();
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <ThemeScript />
      </head>
      <body className="flex min-h-dvh flex-col bg-slate-50 font-sans text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <a
          href="#content"
          className="sr-only z-50 rounded-md bg-white px-3 py-2 text-sm font-medium text-slate-900 focus:not-sr-only focus:absolute focus:top-2 focus:left-2"
        >
          Skip to content
        </a>
        <TRPCReactProvider>
          <RealtimeProvider nodePublicUrl={env.NODE_PUBLIC_URL}>
            <WalletProvider>
              <SessionProvider>
                <SiteHeader />
                <ConnectionBanner />
                <div id="content" className="flex flex-1 flex-col">
                  {children}
                </div>
                <SiteFooter />
                <Toaster />
              </SessionProvider>
            </WalletProvider>
          </RealtimeProvider>
        </TRPCReactProvider>
      </body>
    </html>
  );
}
