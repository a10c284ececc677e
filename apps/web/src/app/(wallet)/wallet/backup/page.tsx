import type { Metadata } from 'next';
import { WalletBackup } from '../../../../wallet/pages/wallet-backup.tsx';

export const metadata: Metadata = { title: 'Backup' };

export default function Page() {
  return <WalletBackup />;
}
