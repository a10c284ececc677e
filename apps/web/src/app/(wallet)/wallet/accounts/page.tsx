import type { Metadata } from 'next';
import { WalletAccounts } from '../../../../wallet/pages/wallet-accounts.tsx';

export const metadata: Metadata = { title: 'Accounts' };

export default function Page() {
  return <WalletAccounts />;
}
