import type { Metadata } from 'next';
import { WalletHome } from '../../../wallet/pages/wallet-home.tsx';

export const metadata: Metadata = { title: 'Wallet' };

export default function Page() {
  return <WalletHome />;
}
