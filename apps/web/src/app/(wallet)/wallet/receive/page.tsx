import type { Metadata } from 'next';
import { WalletReceive } from '../../../../wallet/pages/wallet-receive.tsx';

export const metadata: Metadata = { title: 'Receive' };

export default function Page() {
  return <WalletReceive />;
}
