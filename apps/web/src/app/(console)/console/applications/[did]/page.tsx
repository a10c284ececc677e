import type { Metadata } from 'next';
import { ApplicationDetail } from '../../../../../console/applications/application-detail.tsx';
import { env } from '../../../../../env.ts';

export const metadata: Metadata = { title: 'Application' };

export default async function Page({ params }: { params: Promise<{ did: string }> }) {
  const { did } = await params;
  // The relayer's endpoint is on the node itself (the web server forwards only /trpc).
  return <ApplicationDetail appDid={decodeURIComponent(did)} nodeUrl={env.NODE_PUBLIC_URL} />;
}
