import type { Metadata } from 'next';
import { WalletSend } from '../../../../wallet/pages/wallet-send.tsx';

export const metadata: Metadata = { title: 'Send' };

export default function Page() {
  return <WalletSend />;
}
