/** The Ethereum adapter (ethers 6 over JSON-RPC) and the compiled test contracts. */
export {
  createEthereumAdapter,
  ETHEREUM_BLOCK_TIME_MS_DEFAULT,
  ETHEREUM_POLL_MS_DEFAULT,
  ETHEREUM_WAIT_TIMEOUT_MS_DEFAULT,
  type EthereumAdapterConfig,
  type EthereumNative,
} from './adapter.ts';
export { ArcBridgedAbt, ArcTestAsset, ArcTestToken, type ContractArtifact } from './artifacts/index.ts';
export {
  BRIDGE_ARC_DID_BYTES_MAX,
  BRIDGE_ARC_DID_BYTES_MIN,
  BRIDGE_EIP712_NAME,
  BRIDGE_EIP712_VERSION,
  BRIDGE_MINT_TYPES,
  BRIDGE_SIGNERS_MAX,
  type BridgeBurned,
  type BridgeLog,
  type BridgeMint,
  type BridgeMinted,
  checkBridgeSignerSet,
  deployBridgedAbt,
  mintTypedData,
  parseBridgeBurned,
  parseBridgeMinted,
  signMint,
} from './bridge-token.ts';
export { formatAssetId, isEthereumAddress, parseAssetId } from './convert.ts';
export { decodeRevert, toOcapError as toOcapErrorFromEthereum } from './errors.ts';
export { TRANSFER_TOPIC } from './events.ts';
export { EthereumSigner } from './signer.ts';
