import * as bitcoin from 'bitcoinjs-lib';
import type { RegtestChain, StoredBlock } from './chain.ts';
import { RPC_CODES, RpcFailure } from './rpc-failure.ts';
import { blockView, btcAmount, headerView, txView } from './views.ts';

/** Bitcoin Core's default maxfeerate for sendrawtransaction / testmempoolaccept: 0.10 BTC/kvB. */
export const MAX_FEE_RATE_SAT_PER_KVB_DEFAULT = 10_000_000n;
/** Bound on testmempoolaccept's list, as in Bitcoin Core (MAX_PACKAGE_COUNT). */
export const TEST_ACCEPT_TXS_MAX = 25;
/** Bound on scantxoutset's scan objects. */
export const SCAN_OBJECTS_MAX = 100;
const CONF_TARGET_MAX = 1008;
const HASH_HEX = /^[0-9a-fA-F]{64}$/;

export interface MethodOptions {
  /** What estimatesmartfee answers, in sat/vB; null answers "no feerate found" like a fresh regtest node. */
  feeRateSatPerVb: number | null;
}

export type RpcMethod = (params: unknown[]) => unknown;

/** The subset of Bitcoin Core's JSON-RPC the regtest chain answers, by method name (positional params). */
export function regtestMethods(chain: RegtestChain, options: MethodOptions): Record<string, RpcMethod> {
  const net = chain.network;

  function blockParam(value: unknown, name = 'blockhash'): StoredBlock {
    const hash = hashParam(value, name);
    const stored = chain.block(hash);
    if (!stored) throw new RpcFailure(RPC_CODES.INVALID_ADDRESS_OR_KEY, 'Block not found');
    return stored;
  }

  function addressScript(value: unknown): Uint8Array {
    try {
      return bitcoin.address.toOutputScript(String(value), net);
    } catch {
      throw new RpcFailure(RPC_CODES.INVALID_ADDRESS_OR_KEY, 'Error: Invalid address');
    }
  }

  function decodeTx(value: unknown): bitcoin.Transaction {
    try {
      if (typeof value !== 'string' || !/^([0-9a-fA-F]{2})+$/.test(value)) throw new Error('not hex');
      return bitcoin.Transaction.fromHex(value);
    } catch {
      throw new RpcFailure(RPC_CODES.DESERIALIZATION_ERROR, 'TX decode failed. Make sure the tx has at least one input.');
    }
  }

  function maxFeeRate(value: unknown): bigint {
    if (value === undefined || value === null) return MAX_FEE_RATE_SAT_PER_KVB_DEFAULT;
    if (typeof value !== 'number' || value < 0)
      throw new RpcFailure(RPC_CODES.TYPE_ERROR, 'maxfeerate must be a non-negative BTC/kvB amount');
    return BigInt(Math.round(value * 100_000_000));
  }

  function mempoolEntryView(txid: string) {
    const entry = chain.mempoolEntry(txid);
    if (!entry) throw new RpcFailure(RPC_CODES.INVALID_ADDRESS_OR_KEY, 'Transaction not in mempool');
    const ancestors = [...chain.mempoolAncestors(entry.parents)].map((id) => chain.mempoolEntry(id)).filter((e) => e !== undefined);
    return {
      vsize: entry.vsize,
      weight: entry.weight,
      time: entry.timeSec,
      height: entry.height,
      descendantcount: 1 + chain.mempoolChildren(txid).length,
      ancestorcount: 1 + ancestors.length,
      ancestorsize: entry.vsize + ancestors.reduce((a, e) => a + e.vsize, 0),
      wtxid: entry.wtxid,
      fees: {
        base: btcAmount(entry.fee),
        modified: btcAmount(entry.fee),
        ancestor: btcAmount(entry.fee + ancestors.reduce((a, e) => a + e.fee, 0n)),
      },
      depends: [...entry.parents],
      spentby: chain.mempoolChildren(txid),
      'bip125-replaceable': false,
      unbroadcast: false,
    };
  }

  function scanObject(object: unknown): Uint8Array {
    const desc = typeof object === 'string' ? object : (object as { desc?: unknown } | null)?.desc;
    if (typeof desc !== 'string') throw new RpcFailure(RPC_CODES.INVALID_PARAMETER, 'Scan object needs to be either a string or an object');
    const body = desc.replace(/#[0-9a-z]{8}$/, '');
    const addr = /^addr\((.+)\)$/.exec(body);
    if (addr) {
      try {
        return bitcoin.address.toOutputScript(addr[1] as string, net);
      } catch {
        throw new RpcFailure(RPC_CODES.INVALID_ADDRESS_OR_KEY, `addr(): Address is not valid: ${addr[1]}`);
      }
    }
    const raw = /^raw\(((?:[0-9a-fA-F]{2})+)\)$/.exec(body);
    if (raw) return Buffer.from(raw[1] as string, 'hex');
    throw new RpcFailure(RPC_CODES.INVALID_ADDRESS_OR_KEY, `'${desc}' is not a descriptor this node can scan (addr() and raw() only)`);
  }

  return {
    getblockchaininfo: () => {
      const tip = chain.blockAt(chain.height) as StoredBlock;
      return {
        chain: 'regtest',
        blocks: chain.height,
        headers: chain.height,
        bestblockhash: tip.hash,
        difficulty: 4.656542373906925e-10,
        time: tip.block.timestamp,
        mediantime: chain.medianTimePast(tip),
        verificationprogress: 1,
        initialblockdownload: false,
        chainwork: (chain.height + 1).toString(16).padStart(64, '0'),
        size_on_disk: 0,
        pruned: false,
        warnings: [],
      };
    },
    getblockcount: () => chain.height,
    getbestblockhash: () => chain.tipHash,
    getblockhash: ([height]) => {
      if (typeof height !== 'number' || !Number.isInteger(height)) throw new RpcFailure(RPC_CODES.TYPE_ERROR, 'height must be an integer');
      const stored = chain.blockAt(height);
      if (!stored) throw new RpcFailure(RPC_CODES.INVALID_PARAMETER, 'Block height out of range');
      return stored.hash;
    },
    getblock: ([hash, verbosity = 1]) => {
      const stored = blockParam(hash);
      const level = verbosity === true ? 1 : verbosity === false ? 0 : verbosity;
      if (level === 0) return stored.block.toHex();
      if (level === 1 || level === 2) return blockView(chain, stored, level);
      throw new RpcFailure(RPC_CODES.INVALID_PARAMETER, 'Verbosity must be in range 0..2 on this node');
    },
    getblockheader: ([hash, verbose = true]) => {
      const stored = blockParam(hash);
      return verbose ? headerView(chain, stored) : stored.block.toHex(true);
    },
    getrawtransaction: ([txid, verbose = false]) => {
      const found = chain.transaction(hashParam(txid, 'txid'));
      if (!found) {
        throw new RpcFailure(
          RPC_CODES.INVALID_ADDRESS_OR_KEY,
          'No such mempool or blockchain transaction. Use gettransaction for wallet transactions.',
        );
      }
      if (!verbose) return found.tx.toHex();
      const view = { ...txView(found.tx, net), hex: found.tx.toHex() };
      if (!found.block) return view;
      const { block } = found;
      return {
        ...view,
        blockhash: block.hash,
        confirmations: chain.confirmations(block),
        time: block.block.timestamp,
        blocktime: block.block.timestamp,
      };
    },
    sendrawtransaction: ([hex, maxfeerate]) => {
      const tx = decodeTx(hex);
      const limit = maxFeeRate(maxfeerate);
      const entry = chain.acceptTransaction(tx, { dryRun: true });
      if (limit > 0n && (entry.fee * 1000n) / BigInt(entry.vsize) > limit) {
        throw new RpcFailure(RPC_CODES.VERIFY_ERROR, 'Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)');
      }
      return chain.acceptTransaction(tx).txid;
    },
    testmempoolaccept: ([rawtxs, maxfeerate]) => {
      if (!Array.isArray(rawtxs) || rawtxs.length === 0 || rawtxs.length > TEST_ACCEPT_TXS_MAX) {
        throw new RpcFailure(RPC_CODES.INVALID_PARAMETER, `Array must contain between 1 and ${TEST_ACCEPT_TXS_MAX} transactions.`);
      }
      const limit = maxFeeRate(maxfeerate);
      return rawtxs.map((raw) => {
        const tx = decodeTx(raw);
        const ids = { txid: tx.getId(), wtxid: Buffer.from(tx.getHash(true)).reverse().toString('hex') };
        try {
          const entry = chain.acceptTransaction(tx, { dryRun: true });
          if (limit > 0n && (entry.fee * 1000n) / BigInt(entry.vsize) > limit)
            return { ...ids, allowed: false, 'reject-reason': 'max-fee-exceeded' };
          return { ...ids, allowed: true, vsize: entry.vsize, fees: { base: btcAmount(entry.fee) } };
        } catch (error) {
          if (!(error instanceof RpcFailure)) throw error;
          return { ...ids, allowed: false, 'reject-reason': error.message };
        }
      });
    },
    getmempoolentry: ([txid]) => mempoolEntryView(hashParam(txid, 'txid')),
    getrawmempool: ([verbose = false]) => {
      const txids = chain.mempoolEntries().map((e) => e.txid);
      if (!verbose) return txids;
      return Object.fromEntries(txids.map((txid) => [txid, mempoolEntryView(txid)]));
    },
    estimatesmartfee: ([target]) => {
      if (typeof target !== 'number' || !Number.isInteger(target) || target < 1 || target > CONF_TARGET_MAX) {
        throw new RpcFailure(RPC_CODES.INVALID_PARAMETER, `Invalid conf_target, must be between 1 and ${CONF_TARGET_MAX}`);
      }
      if (options.feeRateSatPerVb === null) return { errors: ['Insufficient data or no feerate found'], blocks: 0 };
      return { feerate: (options.feeRateSatPerVb * 1000) / 100_000_000, blocks: target };
    },
    scantxoutset: ([action, scanobjects]) => {
      if (action === 'abort') return false;
      if (action === 'status') return null;
      if (action !== 'start') throw new RpcFailure(RPC_CODES.INVALID_PARAMETER, 'Invalid action argument');
      if (!Array.isArray(scanobjects) || scanobjects.length > SCAN_OBJECTS_MAX) {
        throw new RpcFailure(RPC_CODES.INVALID_PARAMETER, `scanobjects must be an array of at most ${SCAN_OBJECTS_MAX} descriptors`);
      }
      const tip = chain.blockAt(chain.height) as StoredBlock;
      const scripts = scanobjects.map(scanObject);
      const unspents = scripts.flatMap((script) =>
        chain.coinsOf(script).map((coin) => {
          const address = bitcoin.address.fromOutputScript(coin.script, net);
          return {
            txid: coin.txid,
            vout: coin.vout,
            scriptPubKey: Buffer.from(coin.script).toString('hex'),
            desc: `addr(${address})`,
            amount: btcAmount(coin.value),
            coinbase: coin.coinbase,
            height: coin.height,
            blockhash: chain.blockAt(coin.height)?.hash,
          };
        }),
      );
      const total = scripts.flatMap((s) => chain.coinsOf(s)).reduce((a, c) => a + c.value, 0n);
      return {
        success: true,
        txouts: chain.utxoCount,
        height: chain.height,
        bestblock: tip.hash,
        unspents,
        total_amount: btcAmount(total),
      };
    },
    generatetoaddress: ([nblocks, address]) => {
      const script = addressScript(address);
      if (typeof nblocks !== 'number') throw new RpcFailure(RPC_CODES.TYPE_ERROR, 'nblocks must be a number');
      return chain.generate(nblocks, script);
    },
    invalidateblock: ([hash]) => {
      chain.invalidate(hashParam(hash, 'blockhash'));
      return null;
    },
  };
}

function hashParam(value: unknown, name: string): string {
  if (typeof value !== 'string' || !HASH_HEX.test(value)) {
    throw new RpcFailure(RPC_CODES.INVALID_PARAMETER, `${name} must be of length 64 (not ${String(value).length}, for '${String(value)}')`);
  }
  return value.toLowerCase();
}
