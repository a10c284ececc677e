import type { Metadata } from 'next';
import { ApplicationDetail } from '../../../../../console/applications/application-detail.tsx';

export const metadata: Metadata = { title: 'Application' };

export default async function Page({ params }: { params: Promise<{ did: string }> }) {
  const { did } = await params;
  return <ApplicationDetail appDid={decodeURIComponent(did)} />;
}
