import { OcapError, type OcapSigner } from '@arc/core';
import { hexlify, Wallet } from 'ethers';

/** The secret of each signer, out of reach of anyone holding the signer object. */
const wallets = new WeakMap<EthereumSigner, Wallet>();

/** An Ethereum signer: the EIP-55 address of a secp256k1 key; the key stays inside this module. */
export class EthereumSigner implements OcapSigner {
  readonly adapter = 'ethereum';
  readonly address: string;

  constructor(secretKey: Uint8Array) {
    if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) {
      throw new OcapError('INVALID_ARGUMENT', 'An Ethereum secret key is 32 bytes.');
    }
    let wallet: Wallet;
    try {
      wallet = new Wallet(hexlify(secretKey));
    } catch (error) {
      throw new OcapError('INVALID_ARGUMENT', 'The secret key is not a valid secp256k1 private key (zero or above the curve order).', {
        cause: error,
      });
    }
    wallets.set(this, wallet);
    this.address = wallet.address;
  }

  toJSON() {
    return { adapter: this.adapter, address: this.address };
  }
}

/** The wallet behind a signer made by this adapter; INVALID_ARGUMENT for any other object. */
export function walletOf(signer: OcapSigner): Wallet {
  const wallet = signer instanceof EthereumSigner ? wallets.get(signer) : undefined;
  if (!wallet) {
    throw new OcapError(
      'INVALID_ARGUMENT',
      `This signer (${signer?.adapter ?? 'unknown'} adapter) was not made by the ethereum adapter; use adapter.signer(secretKey).`,
    );
  }
  return wallet;
}
