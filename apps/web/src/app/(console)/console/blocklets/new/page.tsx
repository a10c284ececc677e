import type { Metadata } from 'next';
import { NewBlocklet } from '../../../../../console/blocklets/new-blocklet.tsx';

export const metadata: Metadata = { title: 'Create a blocklet' };

export default function NewBlockletPage() {
  return <NewBlocklet />;
}
