/**
 * Builders for the Fabric adapter's tests that need no peer: X.509 identities (issued by the development peer's
 * certificate code) and Fabric blocks and envelopes made from the real protobuf messages.
 */
import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import type { FabricIdentity } from './identity.ts';
import { issueCertificate } from './testing/certificates.ts';

const require = createRequire(import.meta.url);
const { Timestamp } = require('google-protobuf/google/protobuf/timestamp_pb.js') as {
  Timestamp: { fromDate(date: Date): unknown };
};

export interface TestAuthority {
  name: { commonName: string; organization: string };
  privateKey: KeyObject;
  certificatePem: string;
}

/** A self-signed CA for `organization`. */
export function testAuthority(organization = 'org1.example.com'): TestAuthority {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const name = { commonName: `ca.${organization}`, organization };
  return { name, privateKey, certificatePem: issueCertificate({ subject: name, subjectKey: privateKey, isCertificateAuthority: true }) };
}

/** A member identity issued by `authority`; `key` reuses a key (a renewed certificate). */
export function testIdentity(
  authority: TestAuthority,
  commonName: string,
  mspId = 'Org1MSP',
  key?: KeyObject,
): FabricIdentity & { privateKey: KeyObject } {
  const privateKey = key ?? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  const certificatePem = issueCertificate({
    subject: { commonName, organization: authority.name.organization, organizationalUnit: 'client' },
    subjectKey: privateKey,
    issuer: authority,
    isCertificateAuthority: false,
  });
  return { mspId, certificatePem, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, privateKey };
}

export function serializedIdentity(identity: { mspId: string; certificatePem: string }): Uint8Array {
  const serialized = new msp.SerializedIdentity();
  serialized.setMspid(identity.mspId);
  serialized.setIdBytes(Buffer.from(identity.certificatePem, 'utf8'));
  return serialized.serializeBinary();
}

export interface TestTx {
  txId: string;
  creator: { mspId: string; certificatePem: string };
  chaincode: string;
  args: string[];
  timestampMs: number;
  event?: { name: string; payload: Uint8Array };
  endorsers?: { mspId: string; certificatePem: string }[];
  response?: { status: number; message: string; payload: Uint8Array };
}

/** An endorser transaction envelope as the gateway client and peers build it. */
export function endorserEnvelope(tx: TestTx): Uint8Array {
  const creator = serializedIdentity(tx.creator);
  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(creator);
  signatureHeader.setNonce(randomBytes(24));
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(common.HeaderType.ENDORSER_TRANSACTION);
  channelHeader.setChannelId('mychannel');
  channelHeader.setTxId(tx.txId);
  channelHeader.setTimestamp(Timestamp.fromDate(new Date(tx.timestampMs)) as never);
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(signatureHeader.serializeBinary());

  const chaincodeId = new peer.ChaincodeID();
  chaincodeId.setName(tx.chaincode);
  const input = new peer.ChaincodeInput();
  input.setArgsList(tx.args.map((a) => Buffer.from(a, 'utf8')));
  const spec = new peer.ChaincodeSpec();
  spec.setChaincodeId(chaincodeId);
  spec.setInput(input);
  const invocation = new peer.ChaincodeInvocationSpec();
  invocation.setChaincodeSpec(spec);
  const proposalPayload = new peer.ChaincodeProposalPayload();
  proposalPayload.setInput(invocation.serializeBinary());

  const action = new peer.ChaincodeAction();
  const response = new peer.Response();
  response.setStatus(tx.response?.status ?? 200);
  response.setMessage(tx.response?.message ?? '');
  response.setPayload(tx.response?.payload ?? Buffer.from('true'));
  action.setResponse(response);
  action.setChaincodeId(chaincodeId);
  if (tx.event) {
    const event = new peer.ChaincodeEvent();
    event.setChaincodeId(tx.chaincode);
    event.setTxId(tx.txId);
    event.setEventName(tx.event.name);
    event.setPayload(tx.event.payload);
    action.setEvents(event.serializeBinary());
  }
  const responsePayload = new peer.ProposalResponsePayload();
  responsePayload.setProposalHash(randomBytes(32));
  responsePayload.setExtension$(action.serializeBinary());
  const endorsed = new peer.ChaincodeEndorsedAction();
  endorsed.setProposalResponsePayload(responsePayload.serializeBinary());
  endorsed.setEndorsementsList(
    (tx.endorsers ?? []).map((endorser) => {
      const endorsement = new peer.Endorsement();
      endorsement.setEndorser(serializedIdentity(endorser));
      endorsement.setSignature(randomBytes(70));
      return endorsement;
    }),
  );
  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setChaincodeProposalPayload(proposalPayload.serializeBinary());
  actionPayload.setAction(endorsed);
  const transactionAction = new peer.TransactionAction();
  transactionAction.setHeader(signatureHeader.serializeBinary());
  transactionAction.setPayload(actionPayload.serializeBinary());
  const transaction = new peer.Transaction();
  transaction.setActionsList([transactionAction]);

  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(transaction.serializeBinary());
  const envelope = new common.Envelope();
  envelope.setPayload(payload.serializeBinary());
  envelope.setSignature(randomBytes(70));
  return envelope.serializeBinary();
}

/** A block of envelopes with its TRANSACTIONS_FILTER. */
export function testBlock(number: number, previousHash: Uint8Array, envelopes: Uint8Array[], validationCodes: number[]): Uint8Array {
  const header = new common.BlockHeader();
  header.setNumber(number);
  header.setPreviousHash(previousHash);
  header.setDataHash(randomBytes(32));
  const data = new common.BlockData();
  data.setDataList(envelopes);
  const metadata = new common.BlockMetadata();
  const slots: Uint8Array[] = [new Uint8Array(), new Uint8Array(), Uint8Array.from(validationCodes), new Uint8Array(), new Uint8Array()];
  metadata.setMetadataList(slots);
  const block = new common.Block();
  block.setHeader(header);
  block.setData(data);
  block.setMetadata(metadata);
  return block.serializeBinary();
}
