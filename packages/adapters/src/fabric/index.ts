/** The Hyperledger Fabric adapter (Fabric Gateway client): qscc reads, a token chaincode as the channel's coin, chaincode events. */
export { createFabricAdapter, FABRIC_WAIT_TIMEOUT_MS_DEFAULT, type FabricAdapter } from './adapter.ts';
export {
  blockHeaderHash,
  decodeBlock,
  type FabricBlock,
  type FabricEndorsement,
  type FabricMember,
  type FabricTransaction,
} from './blocks.ts';
export {
  type FabricAdapterConfig,
  FabricConfigSchema,
  type FabricSettings,
  fabricConfigFromEnv,
  parseFabricConfig,
} from './config.ts';
export { CHAINCODE_REFUSAL_CODES, toOcapError as toOcapErrorFromFabric } from './errors.ts';
export { EVENT_STREAM_RECONNECTS_MAX } from './events.ts';
export { accountOf, type FabricIdentity, FabricSigner, fabricSecretKey, loadIdentity } from './identity.ts';
export type { FabricNative, NativeCall, NativeSubmitResult } from './native.ts';
