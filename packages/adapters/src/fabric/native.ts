import {
  type BlockRef,
  type EventStream,
  OcapError,
  type OcapSigner,
  type SendOptions,
  type SendResult,
  type StreamOptions,
} from '@arc/core';
import type { Gateway, Status } from '@hyperledger/fabric-gateway';
import { gateway as gatewayProtos, peer } from '@hyperledger/fabric-protos';
import type { Idempotency } from '../shared/idempotency.ts';
import { decodeEnvelope, type FabricBlock, type FabricTransaction, tokenMovement } from './blocks.ts';
import type { FabricConnectionSettings } from './config.ts';
import type { ChaincodeCall, FabricConnection } from './connection.ts';
import { commitFailure, type ErrorContext, toOcapError } from './errors.ts';
import { type FabricSigner, signingOf } from './identity.ts';
import type { FabricLedger } from './ledger.ts';
import type { FabricSender } from './sender.ts';
import { requireChaincode } from './tokens.ts';

/** Largest raw transaction `broadcast` takes (hex characters): an endorsed transaction with a few endorsements is a few KiB. */
export const RAW_TX_HEX_CHARS_MAX = 8 * 1024 * 1024;
/** Arguments a chaincode call may carry. */
export const CALL_ARGS_MAX = 256;

/** A chaincode call at level 3: any chaincode (default: the token), any function, signed by `signer` (default: the adapter's identity). */
export interface NativeCall {
  signer?: OcapSigner;
  chaincode?: string;
  fn: string;
  args?: Array<string | Uint8Array>;
  /** Private inputs that reach the chaincode but not the ledger. */
  transientData?: Record<string, string | Uint8Array>;
  /** MSP ids whose peers must endorse (default: what the gateway derives from the endorsement policy). */
  endorsingOrganizations?: string[];
}

/** A committed transaction of `submit`: its id, signer's account, the chaincode's result and the block holding it. */
export interface NativeSubmitResult {
  txId: string;
  from: string;
  result: Uint8Array;
  blockHeight: number;
}

/** Level 3: Fabric itself, for what OCAP does not cover. Errors are OcapErrors with the Fabric error as `cause`. */
export interface FabricNative {
  readonly channel: string;
  /** The token chaincode that is the channel's coin at level 1. */
  readonly chaincode: string;
  /** Loads the identity and reaches the peer (reads the genesis block); returns the chain height. */
  connect(): Promise<{ height: number }>;
  /** The adapter's own identity as a signer. */
  identity(): Promise<FabricSigner>;
  /** Runs a chaincode function on one peer without ordering it (a query). */
  evaluate(call: NativeCall): Promise<Uint8Array>;
  /**
   * Endorses, orders and waits for the commit; a transaction the validators refuse throws (MVCC_READ_CONFLICT →
   * NONCE_TOO_LOW, …). Runs in the signer's lane; a repeated idempotency key returns the first transaction.
   */
  submit(call: NativeCall & SendOptions): Promise<NativeSubmitResult>;
  /** Endorses and signs without ordering: the transaction's bytes in hex, for `broadcast` (here or elsewhere). */
  prepare(call: NativeCall): Promise<string>;
  /** Orders a transaction made by `prepare` (gateway PreparedTransaction bytes, hex). */
  broadcast(rawTx: string, options?: SendOptions): Promise<SendResult>;
  /** qscc GetChainInfo: height (number of blocks) and the head's hash. */
  chainInfo(): Promise<{ height: number; currentBlockHash: string; previousBlockHash: string }>;
  /** A block with every transaction decoded: creator, chaincode, arguments, event, validation code, endorsements. */
  getBlock(ref: BlockRef): Promise<FabricBlock>;
  getTransaction(txId: string): Promise<{ tx: FabricTransaction; block: FabricBlock }>;
  /** Any chaincode's events as an OCAP stream (Transfer of a token chaincode as tokenTransfer, anything else as log). */
  chaincodeEvents(chaincode: string, options?: StreamOptions): EventStream;
  /** The fabric-gateway Gateway of a signer (default: the adapter's identity), for anything else. */
  gateway(signer?: OcapSigner): Promise<Gateway>;
}

/** What the native API needs from the adapter. */
export interface NativeDeps {
  settings: FabricConnectionSettings;
  open(): Promise<{ connection: FabricConnection; me: FabricSigner }>;
  ready(): Promise<{ chainId: string; idem: Idempotency }>;
  ledger: FabricLedger;
  sender: FabricSender;
  getBlock(ref: BlockRef): Promise<FabricBlock>;
  context(action: string): ErrorContext;
  chaincodeEvents(chaincode: string, options: StreamOptions): EventStream;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function checkCall(call: NativeCall, coin: string): ChaincodeCall {
  if (typeof call?.fn !== 'string' || call.fn.length === 0 || call.fn.length > 256) {
    throw new OcapError('INVALID_ARGUMENT', 'A chaincode call names its function (fn), 1 to 256 characters.');
  }
  const args = call.args ?? [];
  if (!Array.isArray(args) || args.length > CALL_ARGS_MAX || !args.every((a) => typeof a === 'string' || a instanceof Uint8Array)) {
    throw new OcapError('INVALID_ARGUMENT', `Chaincode arguments are up to ${CALL_ARGS_MAX} strings or byte arrays.`);
  }
  return {
    chaincode: call.chaincode === undefined ? coin : requireChaincode(call.chaincode, 'chaincode'),
    fn: call.fn,
    args,
    transientData: call.transientData,
    endorsingOrganizations: call.endorsingOrganizations,
  };
}

/** Builds the level-3 API over the adapter's connection, ledger reader and send lanes. */
export function createFabricNative(deps: NativeDeps): FabricNative {
  const { settings, ledger, sender } = deps;

  async function signerOf(signer: OcapSigner | undefined): Promise<{ connection: FabricConnection; signer: FabricSigner }> {
    const { connection, me } = await deps.open();
    return { connection, signer: signer ? signingOf(signer).signer : me };
  }

  async function commitOf(commit: Promise<Status>, context: ErrorContext): Promise<Status> {
    let status: Status;
    try {
      status = await commit;
    } catch (error) {
      throw toOcapError(error, context);
    }
    if (!status.successful) throw commitFailure(status, context);
    return status;
  }

  /** Reads a hex PreparedTransaction: its id, envelope bytes and signer, or INVALID_ARGUMENT. */
  function parsePrepared(rawTx: string): { bytes: Uint8Array; txId: string; tx: FabricTransaction } {
    const text = typeof rawTx === 'string' ? rawTx.replace(/^0x/, '') : '';
    if (text.length === 0 || text.length > RAW_TX_HEX_CHARS_MAX || !/^([0-9a-fA-F]{2})+$/.test(text)) {
      throw new OcapError(
        'INVALID_ARGUMENT',
        'A raw Fabric transaction is the hex of a prepared (endorsed and signed) transaction, from native.prepare.',
      );
    }
    const bytes = Buffer.from(text, 'hex');
    let prepared: gatewayProtos.PreparedTransaction;
    try {
      prepared = gatewayProtos.PreparedTransaction.deserializeBinary(bytes);
    } catch (error) {
      throw new OcapError('INVALID_ARGUMENT', 'The raw transaction does not decode as a prepared Fabric transaction.', { cause: error });
    }
    const envelope = prepared.getEnvelope();
    const txId = prepared.getTransactionId();
    const tx = envelope ? decodeEnvelope(envelope.serializeBinary(), -1, peer.TxValidationCode.NOT_VALIDATED) : undefined;
    if (!envelope || !tx || !/^[0-9a-f]{64}$/.test(txId) || tx.txId !== txId || envelope.getSignature_asU8().length === 0) {
      throw new OcapError('INVALID_ARGUMENT', 'The raw transaction is not a signed, endorsed Fabric transaction.');
    }
    if (!tx.creator?.account) throw new OcapError('INVALID_ARGUMENT', 'The raw transaction has no X.509 creator.');
    return { bytes, txId, tx };
  }

  return {
    channel: settings.channel,
    chaincode: settings.chaincode,

    async connect() {
      await deps.ready();
      return { height: (await ledger.chainInfo()).height };
    },

    async identity() {
      return (await deps.open()).me;
    },

    async evaluate(call) {
      const checked = checkCall(call, settings.chaincode);
      const { connection, signer } = await signerOf(call.signer);
      return connection.evaluate(signer, checked, deps.context(`evaluate ${checked.fn} of ${checked.chaincode}`));
    },

    async submit(call) {
      const checked = checkCall(call, settings.chaincode);
      const { signer } = await signerOf(call.signer);
      const { idem } = await deps.ready();
      const context = deps.context(`submit ${checked.fn} of ${checked.chaincode}`);
      const payload = {
        op: 'submit',
        chaincode: checked.chaincode,
        fn: checked.fn,
        args: (checked.args ?? []).map((a) => (typeof a === 'string' ? a : hex(a))),
        // Hashed with the rest: the store never holds transient (private) data.
        transient: checked.transientData,
        from: signer.address,
      };
      let fresh: NativeSubmitResult | undefined;
      const sent = await idem.run(call.idempotencyKey, payload, async () => {
        const submitted = await sender.send(signer, checked, context, { to: null, value: 0n });
        const status = await commitOf(submitted.commit, context);
        fresh = { txId: submitted.txId, from: signer.address, result: submitted.result, blockHeight: Number(status.blockNumber) };
        return { hash: submitted.txId, from: signer.address };
      });
      if (fresh?.txId === sent.hash) return fresh;
      // A repeated key: the first transaction's result is on the ledger.
      const { tx, block } = await ledger.transaction(sent.hash);
      return { txId: sent.hash, from: sent.from, result: tx.response?.payload ?? new Uint8Array(), blockHeight: block.number };
    },

    async prepare(call) {
      const checked = checkCall(call, settings.chaincode);
      const { connection, signer } = await signerOf(call.signer);
      const transaction = await connection.endorse(signer, checked, deps.context(`prepare ${checked.fn} of ${checked.chaincode}`));
      const { sign } = signingOf(signer);
      const signed = connection.gateway(signer).newSignedTransaction(transaction.getBytes(), await sign(transaction.getDigest()));
      return hex(signed.getBytes());
    },

    async broadcast(rawTx, options = {}) {
      const { bytes, txId, tx } = parsePrepared(rawTx);
      const from = tx.creator?.account as string;
      const { idem } = await deps.ready();
      return idem.run(options.idempotencyKey, { op: 'broadcast', txId }, async () => {
        const { connection, me } = await deps.open();
        const submitted = await connection.submitEndorsed(connection.preparedTransaction(me, bytes), deps.context(`broadcast ${txId}`));
        const movement = tx.chaincode === settings.chaincode ? tokenMovement(tx) : { to: null, value: 0n };
        sender.track({ txId, from, ...movement, commit: submitted.commit });
        return { hash: txId, from };
      });
    },

    chainInfo: () => ledger.chainInfo(),
    getBlock: (ref) => deps.getBlock(ref),
    async getTransaction(txId) {
      if (typeof txId !== 'string' || !/^[0-9a-fA-F]{64}$/.test(txId)) {
        throw new OcapError('INVALID_ARGUMENT', 'A Fabric transaction id is 64 hex characters.');
      }
      return ledger.transaction(txId.toLowerCase());
    },
    chaincodeEvents: (chaincode, options = {}) => deps.chaincodeEvents(chaincode, options),
    async gateway(signer) {
      const { connection, signer: who } = await signerOf(signer);
      return connection.gateway(who);
    },
  };
}
