import type { Metadata } from 'next';
import { WalletBridge } from '../../../../wallet/pages/wallet-bridge.tsx';

export const metadata: Metadata = { title: 'Bridge to Ethereum' };

export default function Page() {
  return <WalletBridge />;
}
