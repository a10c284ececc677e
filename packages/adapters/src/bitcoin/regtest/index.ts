import { randomBytes } from 'node:crypto';
import * as ecc from '@bitcoinerlab/secp256k1';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import * as bitcoin from 'bitcoinjs-lib';
import { COINBASE_MATURITY_BLOCKS, RegtestChain } from './chain.ts';
import { regtestMethods } from './methods.ts';
import { serveJsonRpc } from './server.ts';

export { COINBASE_MATURITY_BLOCKS, RegtestChain } from './chain.ts';
export { REGTEST_GENESIS_HASH } from './genesis.ts';
export { RPC_CODES, RpcFailure } from './rpc-failure.ts';

/**
 * The regtest chain's rich key: sha256("ocap bitcoin regtest rich key"). Its P2WPKH address receives the
 * coinbases mined at start, so a test has mature coins to spend at once.
 */
export function regtestRichKey(): Uint8Array {
  return sha256(utf8ToBytes('ocap bitcoin regtest rich key'));
}

/** Blocks mined to the rich key at start: 100 to mature + 100 spendable coinbases (50 BTC, 25 BTC after height 150). */
export const REGTEST_INITIAL_BLOCKS_DEFAULT = COINBASE_MATURITY_BLOCKS + 100;
/** What estimatesmartfee answers by default, in sat/vB. */
export const REGTEST_FEE_RATE_SAT_PER_VB_DEFAULT = 2;

export interface RegtestOptions {
  user?: string;
  password?: string;
  /** Blocks mined to the rich key's address before the server answers (default 200). */
  initialBlocks?: number;
  /** What estimatesmartfee answers (sat/vB); null: "no feerate found", like a fresh Bitcoin Core regtest. */
  feeRateSatPerVb?: number | null;
  /** A 32-byte key whose P2WPKH address gets the initial coinbases (default regtestRichKey()). */
  richKey?: Uint8Array;
}

export interface RegtestNode {
  /** `http://127.0.0.1:<port>/`, answering Bitcoin Core's JSON-RPC subset with basic auth. */
  rpcUrl: string;
  user: string;
  password: string;
  chain: RegtestChain;
  richKey: Uint8Array;
  /** The rich key's P2WPKH (bcrt1q…) address. */
  richAddress: string;
  /** Mines `n` blocks paying `address` (generatetoaddress without the HTTP round trip); returns their hashes. */
  mineTo(address: string, n: number): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * Starts an in-process regtest chain behind a bitcoind-style JSON-RPC server on 127.0.0.1 (a free port).
 * Real transactions, signatures and UTXOs; no proof of work and no peer-to-peer network.
 */
export async function startRegtestChain(options: RegtestOptions = {}): Promise<RegtestNode> {
  bitcoin.initEccLib(ecc);
  const chain = new RegtestChain();
  const richKey = options.richKey ?? regtestRichKey();
  const pubkey = ecc.pointFromScalar(richKey, true);
  if (!pubkey) throw new Error('the rich key is not a valid secp256k1 private key');
  const richPayment = bitcoin.payments.p2wpkh({ pubkey, network: chain.network });
  chain.generate(options.initialBlocks ?? REGTEST_INITIAL_BLOCKS_DEFAULT, richPayment.output as Uint8Array);

  const user = options.user ?? 'ocap';
  const password = options.password ?? randomBytes(16).toString('hex');
  const methods = regtestMethods(chain, {
    feeRateSatPerVb: options.feeRateSatPerVb === undefined ? REGTEST_FEE_RATE_SAT_PER_VB_DEFAULT : options.feeRateSatPerVb,
  });
  const { url, server } = await serveJsonRpc(methods, { user, password });
  return {
    rpcUrl: url,
    user,
    password,
    chain,
    richKey,
    richAddress: richPayment.address as string,
    mineTo: async (address, n) => chain.generate(n, bitcoin.address.toOutputScript(address, chain.network)),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
