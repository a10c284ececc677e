import type { Metadata } from 'next';
import { WalletStake } from '../../../../wallet/pages/wallet-stake.tsx';

export const metadata: Metadata = { title: 'Staking' };

export default function Page() {
  return <WalletStake />;
}
