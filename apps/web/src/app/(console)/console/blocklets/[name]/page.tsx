import type { Metadata } from 'next';
import { Suspense } from 'react';
import { BlockletWorkspace } from '../../../../../console/blocklets/blocklet-workspace.tsx';
import { env } from '../../../../../env.ts';

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }): Promise<Metadata> {
  return { title: `${(await params).name} · Blocklets` };
}

export default async function BlockletPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  // The browser calls the blocklet's routes on the node itself (the web server forwards only /trpc).
  return (
    <Suspense>
      <BlockletWorkspace name={name} nodeUrl={env.NODE_PUBLIC_URL} />
    </Suspense>
  );
}
