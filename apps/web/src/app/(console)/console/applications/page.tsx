import type { Metadata } from 'next';
import { ApplicationsPage } from '../../../../console/applications/applications-list.tsx';

export const metadata: Metadata = { title: 'Applications' };

export default function Page() {
  return <ApplicationsPage />;
}
