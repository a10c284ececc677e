/** The in-page wallet (owner W): keys encrypted in IndexedDB, unlocked with a passkey or a passphrase. */

export { nodeClient } from './node-client.ts';
export { describeWalletError, WalletError } from './wallet-error.tsx';
export {
  DEFAULT_AUTO_LOCK_MS,
  type SignRequest,
  useWallet,
  type WalletContextValue,
  WalletProvider,
  type WalletStatus,
} from './wallet-provider.tsx';
