import type { Metadata } from 'next';
import { ChainsPage } from '../../../../console/chains/chains-page.tsx';

export const metadata: Metadata = { title: 'Chains' };

export default function Page() {
  return <ChainsPage />;
}
