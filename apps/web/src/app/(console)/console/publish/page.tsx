import type { Metadata } from 'next';
import { PublishComponentForm } from '../../../../console/publish/publish-form.tsx';

export const metadata: Metadata = { title: 'Publish to the marketplace' };

export default async function PublishPage({ searchParams }: { searchParams: Promise<{ blocklet?: string | string[] }> }) {
  const { blocklet } = await searchParams;
  const name = typeof blocklet === 'string' && /^[a-z][a-z0-9-]{0,62}[a-z0-9]$/.test(blocklet) ? blocklet : null;
  return <PublishComponentForm initialBlocklet={name} />;
}
