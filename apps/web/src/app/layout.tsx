import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { SiteHeader } from '../components/site-header.tsx';
import { TRPCReactProvider } from '../trpc/react.tsx';
import './globals.css';

export const metadata: Metadata = {
  title: 'Arc Explorer',
  description: 'Blocks, transactions and state of an Arc chain, live from its node.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-dvh bg-slate-50 font-sans text-slate-900 antialiased">
        <TRPCReactProvider>
          <SiteHeader />
          {children}
        </TRPCReactProvider>
      </body>
    </html>
  );
}
