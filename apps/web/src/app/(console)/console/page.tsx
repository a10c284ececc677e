import type { Metadata } from 'next';
import { ConsoleOverview } from './overview.tsx';

export const metadata: Metadata = { title: 'Overview' };

export default function Page() {
  return <ConsoleOverview />;
}
