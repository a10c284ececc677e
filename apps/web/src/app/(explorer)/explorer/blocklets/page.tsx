import type { Metadata } from 'next';
import { BlockletsView } from '../../../../explorer/blocklets-view.tsx';
import { nodeApi } from '../../../../explorer/node-api.ts';

export const metadata: Metadata = { title: 'Blocklet deployments · Explorer' };

interface Props {
  searchParams: Promise<{ after?: string | string[] }>;
}

const pageSize = 50;
const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

export default async function BlockletsPage({ searchParams }: Props) {
  const raw = (await searchParams).after;
  const after = typeof raw === 'string' && NAME.test(raw) ? raw : undefined;
  // One more than shown tells whether an older page exists (the list pages by name).
  const rows = await nodeApi().blocklet.list.query({ cursor: after, limit: pageSize + 1 });
  const blocklets = rows.slice(0, pageSize);
  const last = blocklets.at(-1);
  return (
    <BlockletsView
      blocklets={blocklets}
      olderHref={rows.length > pageSize && last ? `/explorer/blocklets?after=${encodeURIComponent(last.name)}` : undefined}
      newerHref={after ? '/explorer/blocklets' : undefined}
    />
  );
}
