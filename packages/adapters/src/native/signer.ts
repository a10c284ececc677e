import { ClientError, Wallet } from '@arc/client';
import { OcapError, type OcapSigner } from '@arc/core';

/** The wallet behind each signer this adapter handed out; the secret never leaves it. */
const wallets = new WeakMap<OcapSigner, Wallet>();

/** A signer for a 32-byte ed25519 seed; its address is the account's DID. */
export function nativeSigner(secretKey: Uint8Array): OcapSigner {
  if (!(secretKey instanceof Uint8Array))
    throw new OcapError('INVALID_ARGUMENT', 'A native signer takes the 32-byte ed25519 seed as a Uint8Array.');
  let wallet: Wallet;
  try {
    wallet = Wallet.fromSecretKey(secretKey);
  } catch (error) {
    if (error instanceof ClientError)
      throw new OcapError('INVALID_ARGUMENT', `Cannot make a native signer: ${error.message}.`, { cause: error });
    throw error;
  }
  return signerOf(wallet);
}

/** A signer for a wallet the caller already holds (a blocklet's, a CLI's). */
export function signerOf(wallet: Wallet): OcapSigner {
  const signer: OcapSigner = Object.freeze({ adapter: 'native', address: wallet.did });
  wallets.set(signer, wallet);
  return signer;
}

/** The wallet of a signer made by `nativeSigner`/`signerOf`; INVALID_ARGUMENT for anyone else's. */
export function walletOf(signer: OcapSigner): Wallet {
  const wallet = wallets.get(signer);
  if (!wallet) {
    throw new OcapError(
      'INVALID_ARGUMENT',
      `This signer (${signer.adapter}, ${signer.address}) was not made by the native adapter; use adapter.signer(secretKey).`,
    );
  }
  return wallet;
}
