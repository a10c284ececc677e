import { createHash, randomBytes } from 'node:crypto';
import { common } from '@hyperledger/fabric-protos';
import { integer, octetString, sequence } from './der.ts';
import type { SigningIdentity } from './organization.ts';

/**
 * Blocks as Fabric builds them (protoutil/blockutils.go): the header hash is SHA-256 of the ASN.1 DER
 * SEQUENCE { number INTEGER, previousHash OCTET STRING, dataHash OCTET STRING }, the data hash is SHA-256 of the
 * envelopes' bytes one after the other, and the metadata has one slot per BlockMetadataIndex.
 */

const METADATA_SLOTS = Object.keys(common.BlockMetadataIndex).length;

export function blockHeaderBytes(header: common.BlockHeader): Buffer {
  return sequence(integer(BigInt(header.getNumber())), octetString(header.getPreviousHash_asU8()), octetString(header.getDataHash_asU8()));
}

/** What the next block's previous_hash holds and what GetBlockByHash looks up. */
export function blockHeaderHash(header: common.BlockHeader): Buffer {
  return createHash('sha256').update(blockHeaderBytes(header)).digest();
}

export function blockDataHash(envelopes: readonly Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  for (const envelope of envelopes) hash.update(envelope);
  return hash.digest();
}

/** A block with its header and data filled in, and empty metadata slots for sealBlock. */
export function newBlock(number: number, previousHash: Uint8Array, envelopes: readonly Uint8Array[]): common.Block {
  const header = new common.BlockHeader();
  header.setNumber(number);
  header.setPreviousHash(previousHash);
  header.setDataHash(blockDataHash(envelopes));
  const data = new common.BlockData();
  data.setDataList([...envelopes]);
  const metadata = new common.BlockMetadata();
  metadata.setMetadataList(Array.from({ length: METADATA_SLOTS }, () => new Uint8Array()));
  const block = new common.Block();
  block.setHeader(header);
  block.setData(data);
  block.setMetadata(metadata);
  return block;
}

/**
 * Fills the metadata a committed Fabric block carries: the orderer's signature (SIGNATURES, over value ‖ signature
 * header ‖ header bytes, with last config 0 since the genesis block is the only config block), the deprecated
 * LAST_CONFIG, and the peer's TRANSACTIONS_FILTER (one validation code per transaction, raw bytes).
 */
export function sealBlock(block: common.Block, validationCodes: readonly number[], signer: SigningIdentity): void {
  const header = block.getHeader() as common.BlockHeader;
  const lastConfig = new common.LastConfig();
  lastConfig.setIndex(0);
  const ordererMetadata = new common.OrdererBlockMetadata();
  ordererMetadata.setLastConfig(lastConfig);
  const value = ordererMetadata.serializeBinary();
  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(signer.serialized);
  signatureHeader.setNonce(randomBytes(24));
  const signatureHeaderBytes = signatureHeader.serializeBinary();
  const signature = new common.MetadataSignature();
  signature.setSignatureHeader(signatureHeaderBytes);
  signature.setSignature(signer.sign(Buffer.concat([value, signatureHeaderBytes, blockHeaderBytes(header)])));
  const signatures = new common.Metadata();
  signatures.setValue(value);
  signatures.setSignaturesList([signature]);
  const lastConfigMetadata = new common.Metadata();
  lastConfigMetadata.setValue(lastConfig.serializeBinary());

  const slots = (block.getMetadata() as common.BlockMetadata).getMetadataList_asU8();
  slots[common.BlockMetadataIndex.SIGNATURES] = signatures.serializeBinary();
  slots[common.BlockMetadataIndex.LAST_CONFIG] = lastConfigMetadata.serializeBinary();
  slots[common.BlockMetadataIndex.TRANSACTIONS_FILTER] = Uint8Array.from(validationCodes);
  (block.getMetadata() as common.BlockMetadata).setMetadataList(slots);
}

/** The validation codes of a committed block (its TRANSACTIONS_FILTER). */
export function transactionsFilter(block: common.Block): Uint8Array {
  return block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
}
