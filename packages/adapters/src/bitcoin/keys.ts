import { OcapError, type OcapSigner } from '@arc/core';
import * as ecc from '@bitcoinerlab/secp256k1';
import * as bitcoin from 'bitcoinjs-lib';
import { type ECPairAPI, ECPairFactory, type ECPairInterface } from 'ecpair';

let ecPair: ECPairAPI | null = null;

/**
 * bitcoinjs with its secp256k1 library, set up on first use: both self-test the library (~70 ms), which a node that
 * reaches no Bitcoin chain should not spend at start. Taproot addresses need it; every use here calls this first.
 */
export function bitcoinEcc(): ECPairAPI {
  if (ecPair === null) {
    bitcoin.initEccLib(ecc);
    ecPair = ECPairFactory(ecc);
  }
  return ecPair;
}

export type BitcoinNetworkName = 'regtest' | 'testnet' | 'mainnet';

/** bitcoinjs network parameters (address prefixes) for a network name. */
export function networkParams(network: BitcoinNetworkName): bitcoin.Network {
  if (network === 'mainnet') return bitcoin.networks.bitcoin;
  if (network === 'testnet') return bitcoin.networks.testnet;
  return bitcoin.networks.regtest;
}

/** The genesis hash of each network: the CAIP-2 reference is its first 32 hex characters (info() checks it against the node). */
export const GENESIS_HASHES: Record<BitcoinNetworkName, string> = {
  mainnet: '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
  testnet: '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943',
  regtest: '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206',
};

/** The canonical form of an address on `network` (bech32 lowercase), or undefined when it is not one. */
export function canonicalAddress(address: string, network: bitcoin.Network): string | undefined {
  if (typeof address !== 'string' || address.length === 0 || address.length > 90 || address.trim() !== address) return undefined;
  bitcoinEcc();
  try {
    return bitcoin.address.fromOutputScript(bitcoin.address.toOutputScript(address, network), network);
  } catch {
    // bitcoinjs throws for anything that is not an address of this network; that is the answer.
    return undefined;
  }
}

/** The canonical address or INVALID_ADDRESS. */
export function requireAddress(address: string, network: bitcoin.Network): string {
  const canonical = canonicalAddress(address, network);
  if (canonical === undefined) {
    throw new OcapError(
      'INVALID_ADDRESS',
      `"${String(address).slice(0, 100)}" is not a Bitcoin address of this network (${network.bech32}).`,
    );
  }
  return canonical;
}

/** A P2WPKH signer: the key never leaves it; the adapter signs through `keyPair` only. */
export class BitcoinSigner implements OcapSigner {
  readonly adapter = 'bitcoin';
  readonly address: string;
  /** The locking script of the address (0014<hash160(pubkey)>). */
  readonly script: Uint8Array;
  readonly #keyPair: ECPairInterface;

  constructor(secretKey: Uint8Array, network: bitcoin.Network) {
    if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32 || !ecc.isPrivate(secretKey)) {
      throw new OcapError('INVALID_ARGUMENT', 'A Bitcoin secret key is 32 bytes, a valid secp256k1 private key.');
    }
    this.#keyPair = bitcoinEcc().fromPrivateKey(secretKey, { network, compressed: true });
    const payment = bitcoin.payments.p2wpkh({ pubkey: this.#keyPair.publicKey, network });
    this.address = payment.address as string;
    this.script = payment.output as Uint8Array;
  }

  /** Signs every input of the PSBT (all must be this signer's P2WPKH outputs) and finalizes them. */
  signAll(psbt: bitcoin.Psbt): void {
    psbt.signAllInputs(this.#keyPair);
    psbt.finalizeAllInputs();
  }
}
