import { createHash, verify, X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GatewayError } from '@hyperledger/fabric-gateway';
import { common, msp, peer as peerProtos } from '@hyperledger/fabric-protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevPeer, type DevPeer, type DevPeerConnection, startDevPeer } from './index.ts';

const CHAINCODE = fileURLToPath(new URL('./chaincode', import.meta.url));
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

/**
 * Fabric's block header bytes, written again here independently of the peer's code: the DER encoding of
 * SEQUENCE { INTEGER number, OCTET STRING previous_hash, OCTET STRING data_hash } (protoutil.BlockHeaderBytes).
 */
function fabricHeaderBytes(header: common.BlockHeader): Buffer {
  const element = (tag: number, content: Buffer) => {
    const length = content.length < 128 ? Buffer.from([content.length]) : Buffer.from([0x81, content.length]);
    return Buffer.concat([Buffer.from([tag]), length, content]);
  };
  let hex = header.getNumber().toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let number = Buffer.from(hex, 'hex');
  if ((number[0] as number) >= 0x80) number = Buffer.concat([Buffer.from([0]), number]);
  const previousHash = Buffer.from(header.getPreviousHash_asU8());
  const dataHash = Buffer.from(header.getDataHash_asU8());
  return element(0x30, Buffer.concat([element(0x02, number), element(0x04, previousHash), element(0x04, dataHash)]));
}

const fabricHeaderHash = (header: common.BlockHeader) => createHash('sha256').update(fabricHeaderBytes(header)).digest();

describe('a development peer’s ledger, read through qscc', () => {
  let dataDir: string;
  let peer: DevPeer;
  let connection: DevPeerConnection;
  let txIds: string[];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fabric-dev-peer-ledger-'));
    peer = await startDevPeer({ chaincodes: [{ name: 'kv', path: CHAINCODE }], blockCutMs: 30, dataDir });
    connection = connectDevPeer(peer);
    const contract = connection.gateway.getNetwork(peer.channel).getContract('kv');
    txIds = [];
    for (const [key, value] of [
      ['a', '1'],
      ['b', '2'],
      ['a', '3'],
    ]) {
      const transaction = await contract.newProposal('put', { arguments: [key as string, value as string] }).endorse();
      await (await transaction.submit()).getStatus();
      txIds.push(transaction.getTransactionId());
    }
  });
  afterAll(async () => {
    connection?.close();
    await peer?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const qscc = (name: string, ...args: Array<string | Uint8Array>) =>
    connection.gateway
      .getNetwork(peer.channel)
      .getContract('qscc')
      .evaluateTransaction(name, peer.channel, ...args);
  const blockAt = async (number: number) => common.Block.deserializeBinary(await qscc('GetBlockByNumber', String(number)));

  it('returns blocks that decode with fabric-protos and chain by previous_hash as Fabric hashes headers', async () => {
    const info = common.BlockchainInfo.deserializeBinary(await qscc('GetChainInfo'));
    expect(info.getHeight()).toBe(peer.height());
    expect(info.getHeight()).toBeGreaterThanOrEqual(4);
    const blocks = await Promise.all(Array.from({ length: info.getHeight() }, (_, number) => blockAt(number)));
    expect(blocks[0]?.getHeader()?.getPreviousHash_asU8()).toHaveLength(0);
    for (const [number, block] of blocks.entries()) {
      const header = block.getHeader() as common.BlockHeader;
      expect(header.getNumber()).toBe(number);
      const dataHash = createHash('sha256')
        .update(Buffer.concat(block.getData()?.getDataList_asU8() ?? []))
        .digest();
      expect(Buffer.from(header.getDataHash_asU8())).toEqual(dataHash);
      if (number > 0)
        expect(Buffer.from(header.getPreviousHash_asU8())).toEqual(fabricHeaderHash(blocks[number - 1]?.getHeader() as common.BlockHeader));
      const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER];
      expect(Array.from(filter ?? [])).toEqual(
        block
          .getData()
          ?.getDataList_asU8()
          .map(() => peerProtos.TxValidationCode.VALID),
      );
    }
    const last = blocks[blocks.length - 1] as common.Block;
    expect(Buffer.from(info.getCurrentblockhash_asU8())).toEqual(fabricHeaderHash(last.getHeader() as common.BlockHeader));
    expect(Buffer.from(info.getPreviousblockhash_asU8())).toEqual(Buffer.from(last.getHeader()?.getPreviousHash_asU8() ?? []));
    const byHash = common.Block.deserializeBinary(await qscc('GetBlockByHash', info.getCurrentblockhash_asU8()));
    expect(byHash.getHeader()?.getNumber()).toBe(last.getHeader()?.getNumber());
  });

  it('starts with a config genesis block naming the organization, and signs every block as an orderer does', async () => {
    const genesis = await blockAt(0);
    const payload = common.Payload.deserializeBinary(
      common.Envelope.deserializeBinary(genesis.getData()?.getDataList_asU8()[0] as Uint8Array).getPayload_asU8(),
    );
    const channelHeader = common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() as Uint8Array);
    expect(channelHeader.getType()).toBe(common.HeaderType.CONFIG);
    expect(channelHeader.getChannelId()).toBe(peer.channel);
    const config = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8()).getConfig();
    const organizations = config?.getChannelGroup()?.getGroupsMap().get('Application')?.getGroupsMap();
    expect(organizations?.has(peer.mspId)).toBe(true);

    const block = await blockAt(1);
    const signatures = common.Metadata.deserializeBinary(
      block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.SIGNATURES] as Uint8Array,
    );
    const [signature] = signatures.getSignaturesList();
    const signer = msp.SerializedIdentity.deserializeBinary(
      common.SignatureHeader.deserializeBinary(signature?.getSignatureHeader_asU8() as Uint8Array).getCreator_asU8(),
    );
    const certificate = new X509Certificate(Buffer.from(signer.getIdBytes_asU8()));
    expect(signer.getMspid()).toBe(peer.mspId);
    const signed = Buffer.concat([
      signatures.getValue_asU8(),
      signature?.getSignatureHeader_asU8() as Uint8Array,
      fabricHeaderBytes(block.getHeader() as common.BlockHeader),
    ]);
    expect(verify('sha256', signed, certificate.publicKey, signature?.getSignature_asU8() as Uint8Array)).toBe(true);
    expect(certificate.subject).toContain('OU=peer');
  });

  it('finds transactions by id, with their validation code and block', async () => {
    const processed = peerProtos.ProcessedTransaction.deserializeBinary(await qscc('GetTransactionByID', txIds[1] as string));
    expect(processed.getValidationcode()).toBe(peerProtos.TxValidationCode.VALID);
    const payload = common.Payload.deserializeBinary(processed.getTransactionenvelope()?.getPayload_asU8() as Uint8Array);
    expect(common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() as Uint8Array).getTxId()).toBe(txIds[1]);
    const block = common.Block.deserializeBinary(await qscc('GetBlockByTxID', txIds[1] as string));
    expect(
      block
        .getData()
        ?.getDataList_asU8()
        .some((envelope) => Buffer.from(envelope).equals(Buffer.from(processed.getTransactionenvelope()?.serializeBinary() as Uint8Array))),
    ).toBe(true);
    const missing = await qscc('GetTransactionByID', 'nope').catch((error: unknown) => error);
    expect((missing as GatewayError).message).toContain(
      'Failed to get transaction with id nope, error no such transaction ID [nope] in index',
    );
    const future = await qscc('GetBlockByNumber', '999').catch((error: unknown) => error);
    expect((future as GatewayError).message).toContain('Failed to get block number 999');
  });

  it('delivers blocks to fabric-gateway block event listeners', async () => {
    const network = connection.gateway.getNetwork(peer.channel);
    const events = await network.getBlockEvents({ startBlock: 1n });
    const numbers: bigint[] = [];
    for await (const block of events) {
      numbers.push(BigInt(block.getHeader()?.getNumber() ?? -1));
      if (numbers.length === 3) break;
    }
    events.close();
    expect(numbers).toEqual([1n, 2n, 3n]);
    const filtered = await network.getFilteredBlockEvents({ startBlock: 1n });
    for await (const block of filtered) {
      expect(block.getFilteredTransactionsList()[0]?.getTxid()).toBe(txIds[0]);
      break;
    }
    filtered.close();
  });

  it('keeps its chain, state and identities across a restart on the same data folder', async () => {
    const heightBefore = peer.height();
    const certificateBefore = peer.identity.certificatePem;
    const lastHashBefore = common.BlockchainInfo.deserializeBinary(await qscc('GetChainInfo')).getCurrentblockhash_asU8();
    connection.close();
    await peer.stop();
    peer = await startDevPeer({ chaincodes: [{ name: 'kv', path: CHAINCODE }], blockCutMs: 30, dataDir });
    connection = connectDevPeer(peer);
    expect(peer.height()).toBe(heightBefore);
    expect(peer.identity.certificatePem).toBe(certificateBefore);
    const contract = connection.gateway.getNetwork(peer.channel).getContract('kv');
    expect(text(await contract.evaluateTransaction('get', 'a'))).toBe('3');
    expect(text(await contract.submitTransaction('increment', 'b'))).toBe('3');
    const next = await blockAt(heightBefore);
    expect(Buffer.from(next.getHeader()?.getPreviousHash_asU8() ?? [])).toEqual(Buffer.from(lastHashBefore));
  });
});
