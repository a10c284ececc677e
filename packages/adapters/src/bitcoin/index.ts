/** The Bitcoin adapter (Bitcoin Core JSON-RPC subset, no wallet) and the in-process regtest chain its tests run on. */
export {
  BITCOIN_FEE_RATE_SAT_PER_VB_DEFAULT,
  type BitcoinAdapter,
  type BitcoinAdapterConfig,
  type BitcoinNative,
  createBitcoinAdapter,
} from './adapter.ts';
export { DUST_LIMIT_SATS, UNCONFIRMED_CHAIN_DEPTH_MAX } from './coins.ts';
export { type BitcoinNetworkName, BitcoinSigner, GENESIS_HASHES } from './keys.ts';
export { type RegtestNode, type RegtestOptions, regtestRichKey, startRegtestChain } from './regtest/index.ts';
export { BitcoinRpc, BitcoinRpcError, BitcoinTransportError } from './rpc.ts';
