import type { Metadata } from 'next';
import { BlockletList } from '../../../../console/blocklets/blocklet-list.tsx';

export const metadata: Metadata = { title: 'Blocklets' };

export default function BlockletsPage() {
  return <BlockletList />;
}
