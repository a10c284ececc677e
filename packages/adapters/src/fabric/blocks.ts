import { createHash } from 'node:crypto';
import type { OcapBlock, OcapTx } from '@arc/core';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import { derInteger, derOctetString, derSequence } from './der.ts';
import { accountOf } from './identity.ts';

/** A Fabric block's transactions are at most this many (orderer BatchSize.MaxMessageCount is usually 10–500). */
export const BLOCK_TXS_MAX = 100_000;

const VALIDATION_NAMES = new Map<number, string>(Object.entries(peer.TxValidationCode).map(([name, code]) => [code as number, name]));
const HEADER_TYPE_NAMES = new Map<number, string>(Object.entries(common.HeaderType).map(([name, code]) => [code as number, name]));
const VALID = peer.TxValidationCode.VALID;
const NOT_VALIDATED = peer.TxValidationCode.NOT_VALIDATED;

/** Who signed: an MSP member, with its account when its identity is an X.509 certificate. */
export interface FabricMember {
  mspId: string;
  /** hex(sha256(mspId, 0, issuer, subject)); null for identities that are not X.509 certificates. */
  account: string | null;
  certificatePem: string;
}

export interface FabricEndorsement extends FabricMember {
  signatureHex: string;
}

/** One transaction of a block, decoded as far as its type allows. */
export interface FabricTransaction {
  /** Its index in the block (the TRANSACTIONS_FILTER index). */
  index: number;
  /** ChannelHeader.tx_id, '' when the envelope has none (some config transactions). */
  txId: string;
  /** HeaderType name: ENDORSER_TRANSACTION, CONFIG, … or UNDECODABLE. */
  type: string;
  /** ChannelHeader.timestamp: set by the client that made the transaction, not by the orderer. */
  timestampMs: number;
  creator: FabricMember | null;
  /** TxValidationCode and its name (VALID, MVCC_READ_CONFLICT, …). */
  validationCode: number;
  validation: string;
  /** The invoked chaincode, its arguments (the function first) and the function without a contract prefix. */
  chaincode: string | null;
  args: Uint8Array[];
  fn: string | null;
  /** The chaincode event the transaction set, if any (Fabric keeps one per transaction). */
  event: { chaincode: string; name: string; payload: Uint8Array } | null;
  /** The chaincode's response at endorsement. */
  response: { status: number; message: string; payload: Uint8Array } | null;
  endorsements: FabricEndorsement[];
}

export interface FabricBlock {
  number: number;
  /** SHA-256 of the DER header (number, previous hash, data hash), hex: what qscc GetBlockByHash takes. */
  hash: string;
  previousHash: string;
  dataHash: string;
  transactions: FabricTransaction[];
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Fabric's block hash: SHA-256 over ASN.1 DER SEQUENCE { INTEGER number, OCTET STRING previous_hash, OCTET STRING data_hash }. */
export function blockHeaderHash(header: { number: number | bigint; previousHash: Uint8Array; dataHash: Uint8Array }): string {
  const der = derSequence(derInteger(BigInt(header.number)), derOctetString(header.previousHash), derOctetString(header.dataHash));
  return createHash('sha256').update(der).digest('hex');
}

/** The name of a TxValidationCode (unknown codes as CODE_<n>). */
export function validationName(code: number): string {
  return VALIDATION_NAMES.get(code) ?? `CODE_${code}`;
}

export function memberOf(serializedIdentity: Uint8Array): FabricMember {
  const identity = msp.SerializedIdentity.deserializeBinary(serializedIdentity);
  const certificatePem = Buffer.from(identity.getIdBytes_asU8()).toString('utf8');
  let account: string | null = null;
  try {
    account = accountOf(identity.getMspid(), certificatePem);
  } catch {
    // Not an X.509 identity (e.g. idemix): it has no account in the token's sense.
    account = null;
  }
  return { mspId: identity.getMspid(), account, certificatePem };
}

/** Decodes a serialized common.Block. */
export function decodeBlock(bytes: Uint8Array): FabricBlock {
  const block = common.Block.deserializeBinary(bytes);
  const header = block.getHeader();
  if (!header) throw new RangeError('the block has no header');
  const envelopes = block.getData()?.getDataList_asU8() ?? [];
  if (envelopes.length > BLOCK_TXS_MAX) throw new RangeError(`the block holds ${envelopes.length} transactions`);
  const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
  const previousHash = header.getPreviousHash_asU8();
  const dataHash = header.getDataHash_asU8();
  return {
    number: header.getNumber(),
    hash: blockHeaderHash({ number: header.getNumber(), previousHash, dataHash }),
    previousHash: hex(previousHash),
    dataHash: hex(dataHash),
    // A block the peer has not validated (or without the filter) reads as NOT_VALIDATED, never as VALID.
    transactions: envelopes.map((envelope, index) => decodeEnvelope(envelope, index, filter[index] ?? NOT_VALIDATED)),
  };
}

/** Decodes one transaction envelope; what does not decode is reported as UNDECODABLE rather than failing the block. */
export function decodeEnvelope(bytes: Uint8Array, index: number, validationCode: number): FabricTransaction {
  const tx: FabricTransaction = {
    index,
    txId: '',
    type: 'UNDECODABLE',
    timestampMs: 0,
    creator: null,
    validationCode,
    validation: validationName(validationCode),
    chaincode: null,
    args: [],
    fn: null,
    event: null,
    response: null,
    endorsements: [],
  };
  let payload: common.Payload;
  let channelHeader: common.ChannelHeader;
  try {
    payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(bytes).getPayload_asU8());
    const header = payload.getHeader();
    if (!header) return tx;
    channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
    const signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
    const creator = signatureHeader.getCreator_asU8();
    tx.creator = creator.length > 0 ? memberOf(creator) : null;
  } catch {
    // A malformed envelope (the orderer lets a few through, flagged invalid): keep what we have.
    return tx;
  }
  tx.txId = channelHeader.getTxId();
  tx.type = HEADER_TYPE_NAMES.get(channelHeader.getType()) ?? `TYPE_${channelHeader.getType()}`;
  const timestamp = channelHeader.getTimestamp();
  tx.timestampMs = timestamp ? timestamp.getSeconds() * 1000 + Math.floor(timestamp.getNanos() / 1e6) : 0;
  if (channelHeader.getType() === common.HeaderType.ENDORSER_TRANSACTION) {
    try {
      decodeEndorserTransaction(payload.getData_asU8(), tx);
    } catch {
      // The header decoded but the body did not: the transaction stays without chaincode details.
      tx.chaincode = null;
    }
  }
  return tx;
}

function decodeEndorserTransaction(data: Uint8Array, tx: FabricTransaction): void {
  const action = peer.Transaction.deserializeBinary(data).getActionsList()[0];
  if (!action) return;
  const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
  const proposalPayload = peer.ChaincodeProposalPayload.deserializeBinary(actionPayload.getChaincodeProposalPayload_asU8());
  const spec = peer.ChaincodeInvocationSpec.deserializeBinary(proposalPayload.getInput_asU8()).getChaincodeSpec();
  tx.chaincode = spec?.getChaincodeId()?.getName() || null;
  tx.args = spec?.getInput()?.getArgsList_asU8() ?? [];
  const first = tx.args[0];
  if (first) {
    const name = Buffer.from(first).toString('utf8');
    tx.fn = name.includes(':') ? name.slice(name.lastIndexOf(':') + 1) : name;
  }
  const endorsed = actionPayload.getAction();
  if (!endorsed) return;
  tx.endorsements = endorsed
    .getEndorsementsList()
    .map((e) => ({ ...memberOf(e.getEndorser_asU8()), signatureHex: hex(e.getSignature_asU8()) }));
  const responsePayload = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
  const chaincodeAction = peer.ChaincodeAction.deserializeBinary(responsePayload.getExtension_asU8());
  const response = chaincodeAction.getResponse();
  if (response) tx.response = { status: response.getStatus(), message: response.getMessage(), payload: response.getPayload_asU8() };
  const eventBytes = chaincodeAction.getEvents_asU8();
  if (eventBytes.length > 0) {
    const event = peer.ChaincodeEvent.deserializeBinary(eventBytes);
    if (event.getEventName()) {
      tx.event = { chaincode: event.getChaincodeId(), name: event.getEventName(), payload: event.getPayload_asU8() };
    }
  }
}

/** The block as OCAP sees it; its time is the latest client timestamp among its transactions (Fabric blocks carry none). */
export function toOcapBlock(block: FabricBlock): OcapBlock {
  return {
    height: block.number,
    hash: block.hash,
    parentHash: block.previousHash,
    timestampMs: block.transactions.reduce((latest, tx) => Math.max(latest, tx.timestampMs), 0),
    txHashes: block.transactions.map((tx) => tx.txId).filter((id) => id !== ''),
  };
}

/** The arguments as UTF-8 strings (the function first). */
export function argStrings(tx: Pick<FabricTransaction, 'args'>): string[] {
  return tx.args.map((arg) => Buffer.from(arg).toString('utf8'));
}

/**
 * What a token call moves: Transfer(to, amount) and TransferFrom(from, to, amount) move `amount` to `to`; Mint(amount)
 * creates it for the caller. Anything else (or malformed arguments) moves nothing.
 */
export function tokenMovement(tx: FabricTransaction): { to: string | null; value: bigint } {
  const [, ...args] = argStrings(tx);
  const amount = (text: string | undefined) => (text !== undefined && /^[0-9]{1,78}$/.test(text) ? BigInt(text) : undefined);
  const account = (text: string | undefined) => (text !== undefined && /^[0-9a-fA-F]{64}$/.test(text) ? text.toLowerCase() : undefined);
  let to: string | undefined;
  let value: bigint | undefined;
  if (tx.fn === 'Transfer') [to, value] = [account(args[0]), amount(args[1])];
  else if (tx.fn === 'TransferFrom') [to, value] = [account(args[1]), amount(args[2])];
  else if (tx.fn === 'Mint') [to, value] = [tx.creator?.account ?? undefined, amount(args[0])];
  return to !== undefined && value !== undefined ? { to, value } : { to: null, value: 0n };
}

/**
 * A committed transaction as an OcapTx. `tokenChaincode` is the channel's coin: a call to it reports the amount moved
 * as `value`. Fabric has no fees; a transaction the validators refused (MVCC_READ_CONFLICT, …) is `failed`.
 */
export function toOcapTx(
  tx: FabricTransaction,
  block: { number: number; hash: string },
  headHeight: number,
  tokenChaincode: string,
): OcapTx {
  const movement = tx.chaincode === tokenChaincode && tx.validationCode === VALID ? tokenMovement(tx) : { to: null, value: 0n };
  return {
    hash: tx.txId,
    status: tx.validationCode === VALID ? 'success' : 'failed',
    from: tx.creator?.account ?? null,
    to: movement.to,
    value: movement.value,
    fee: 0n,
    blockHeight: block.number,
    blockHash: block.hash,
    confirmations: Math.max(1, headHeight - block.number + 1),
    ...(tx.validationCode === VALID ? {} : { error: tx.validation }),
  };
}

/** qscc GetChainInfo's answer: the height (number of blocks) and the head's hash. */
export function decodeChainInfo(bytes: Uint8Array): { height: number; currentBlockHash: string; previousBlockHash: string } {
  const info = common.BlockchainInfo.deserializeBinary(bytes);
  return {
    height: info.getHeight(),
    currentBlockHash: hex(info.getCurrentblockhash_asU8()),
    previousBlockHash: hex(info.getPreviousblockhash_asU8()),
  };
}

/** qscc GetTransactionByID's answer: the envelope and its validation code. */
export function decodeProcessedTransaction(bytes: Uint8Array): FabricTransaction {
  const processed = peer.ProcessedTransaction.deserializeBinary(bytes);
  const envelope = processed.getTransactionenvelope();
  if (!envelope) throw new RangeError('the processed transaction has no envelope');
  return decodeEnvelope(envelope.serializeBinary(), -1, processed.getValidationcode());
}
