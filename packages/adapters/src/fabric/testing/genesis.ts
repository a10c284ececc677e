import { randomBytes } from 'node:crypto';
import { common, msp } from '@hyperledger/fabric-protos';
import type { SigningIdentity } from './organization.ts';
import { timestampOf } from './timestamp.ts';

/**
 * The channel's genesis block content: one CONFIG envelope whose config names the channel's single application
 * organization and its MSP (the CA certificate as root), like the block `configtxgen` makes. Only a decoder reads it;
 * the peer's channel configuration is the options it was started with, and there are no config updates.
 */
export function genesisConfigEnvelope(channelId: string, mspId: string, caCertificatePem: string, signer: SigningIdentity): Uint8Array {
  const fabricMsp = new msp.FabricMSPConfig();
  fabricMsp.setName(mspId);
  fabricMsp.setRootCertsList([Buffer.from(caCertificatePem)]);
  const mspConfig = new msp.MSPConfig();
  mspConfig.setType(0); // FABRIC
  mspConfig.setConfig(fabricMsp.serializeBinary());
  const mspValue = new common.ConfigValue();
  mspValue.setValue(mspConfig.serializeBinary());
  mspValue.setModPolicy('Admins');

  const organization = new common.ConfigGroup();
  organization.getValuesMap().set('MSP', mspValue);
  organization.setModPolicy('Admins');
  const application = new common.ConfigGroup();
  application.getGroupsMap().set(mspId, organization);
  application.setModPolicy('Admins');
  const channelGroup = new common.ConfigGroup();
  channelGroup.getGroupsMap().set('Application', application);
  channelGroup.setModPolicy('Admins');

  const config = new common.Config();
  config.setSequence(0);
  config.setChannelGroup(channelGroup);
  const configEnvelope = new common.ConfigEnvelope();
  configEnvelope.setConfig(config);

  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(common.HeaderType.CONFIG);
  channelHeader.setChannelId(channelId);
  channelHeader.setTimestamp(timestampOf(new Date()));
  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(signer.serialized);
  signatureHeader.setNonce(randomBytes(24));
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(signatureHeader.serializeBinary());
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(configEnvelope.serializeBinary());
  const payloadBytes = payload.serializeBinary();
  const envelope = new common.Envelope();
  envelope.setPayload(payloadBytes);
  envelope.setSignature(signer.sign(payloadBytes));
  return envelope.serializeBinary();
}
