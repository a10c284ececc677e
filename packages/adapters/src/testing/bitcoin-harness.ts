import type { OcapSigner } from '@arc/core';
import * as bitcoin from 'bitcoinjs-lib';
import type { BitcoinAdapter } from '../bitcoin/adapter.ts';
import { estimateVbytes } from '../bitcoin/coins.ts';
import { BitcoinSigner } from '../bitcoin/keys.ts';
import { satsOf } from '../bitcoin/reader.ts';
import type { ConformanceHarness } from '../conformance/harness.ts';

/** The fee rate of the raw transfers the harness signs for the suite's broadcast check. */
export const SIGN_FEE_RATE_SAT_PER_VB = 2n;

interface ScanResult {
  unspents: { txid: string; vout: number; amount: number }[];
}

/**
 * A conformance harness for a Bitcoin adapter on a node that mines on request (regtest: the in-process chain or
 * Bitcoin Core) whose `funded` key already holds coins.
 */
export function bitcoinHarness(
  adapter: BitcoinAdapter,
  funded: OcapSigner,
  options: { network?: bitcoin.Network; close?: () => Promise<void> } = {},
): ConformanceHarness {
  const network = options.network ?? bitcoin.networks.regtest;
  const randomKey = () => crypto.getRandomValues(new Uint8Array(32));
  const throwaway = adapter.signer(randomKey()).address;
  const other = adapter.signer(randomKey()).address;
  const mine = async (n: number) => {
    await adapter.native.call('generatetoaddress', [n, throwaway]);
  };
  return {
    adapter,
    funded,
    transferAmount: 100_000n,
    unknownTxHash: 'ab'.repeat(32),
    mine,
    async reorg(depth: number) {
      const height = await adapter.native.call<number>('getblockcount');
      const hash = await adapter.native.call<string>('getblockhash', [height - depth + 1]);
      await adapter.native.call('invalidateblock', [hash]);
      // A different address makes the new branch's blocks differ from the orphaned ones.
      await adapter.native.call('generatetoaddress', [depth, other]);
    },
    // A P2WPKH spend of all the signer's confirmed coins: `amount` to `to`, the rest back to the signer less the fee.
    async signTransfer(signer, { to, amount }) {
      if (!(signer instanceof BitcoinSigner)) throw new Error('signTransfer takes a signer made by this adapter');
      const scan = await adapter.native.call<ScanResult>('scantxoutset', ['start', [`addr(${signer.address})`]]);
      if (scan.unspents.length === 0) throw new Error(`${signer.address} holds no confirmed coins to sign a transfer with`);
      const psbt = new bitcoin.Psbt({ network });
      let total = 0n;
      for (const coin of scan.unspents) {
        const value = satsOf(coin.amount);
        psbt.addInput({ hash: coin.txid, index: coin.vout, witnessUtxo: { script: signer.script, value } });
        total += value;
      }
      const vbytes = estimateVbytes(scan.unspents.length, [bitcoin.address.toOutputScript(to, network).length, signer.script.length]);
      psbt.addOutput({ address: to, value: amount });
      psbt.addOutput({ script: signer.script, value: total - amount - BigInt(vbytes) * SIGN_FEE_RATE_SAT_PER_VB });
      signer.signAll(psbt);
      return psbt.extractTransaction().toHex();
    },
    close: options.close,
  };
}
