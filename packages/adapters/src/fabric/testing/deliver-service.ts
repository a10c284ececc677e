import type { ServerDuplexStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { common, orderer, peer } from '@hyperledger/fabric-protos';
import { transactionsFilter } from './block.ts';
import { blockChaincodeEvents } from './gateway-commit.ts';
import type { GatewayContext } from './gateway-context.ts';
import { writeMessage } from './stream-write.ts';
import { openEnvelope } from './transaction.ts';

type Content = 'block' | 'filtered' | 'private';
type DeliverStream = ServerDuplexStream<common.Envelope, peer.DeliverResponse>;

/**
 * The peer's Deliver service (`protos.Deliver`: Deliver, DeliverFiltered, DeliverWithPrivateData), which
 * fabric-gateway's block events use: each request is a signed envelope holding a SeekInfo; the answer is the blocks
 * from start to stop, then a SUCCESS status, or a status saying why not (FORBIDDEN, NOT_FOUND, BAD_REQUEST).
 */
export function deliverHandlers(context: GatewayContext, log: (line: string) => void): UntypedServiceImplementation {
  const handler = (content: Content) => (call: DeliverStream) => {
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort());
    call.on('error', () => abort.abort());
    let serving = Promise.resolve();
    call.on('data', (envelope: common.Envelope) => {
      // Requests on one stream are served one after the other, as Fabric's deliver handler does.
      serving = serving.then(() => serveSeek(context, call, envelope, content, abort.signal));
      serving.catch((error: unknown) => {
        log(`deliver: stream failed: ${(error as Error).message}`);
        abort.abort();
        call.end();
      });
    });
    call.on('end', () => {
      void serving.finally(() => call.end());
    });
  };
  return { deliver: handler('block'), deliverFiltered: handler('filtered'), deliverWithPrivateData: handler('private') };
}

async function serveSeek(
  context: GatewayContext,
  call: DeliverStream,
  envelope: common.Envelope,
  content: Content,
  signal: AbortSignal,
): Promise<void> {
  const reply = (status: keyof common.StatusMap) => {
    const response = new peer.DeliverResponse();
    response.setStatus(common.Status[status]);
    return writeMessage(call, response, signal);
  };
  let seekInfo: orderer.SeekInfo;
  let channelId: string;
  try {
    const { payload, channelHeader, signatureHeader } = openEnvelope(envelope.serializeBinary());
    channelId = channelHeader.getChannelId();
    if (channelId !== context.channelId) return reply('NOT_FOUND');
    if (!context.membership.verify(signatureHeader.getCreator_asU8(), envelope.getPayload_asU8(), envelope.getSignature_asU8()).ok) {
      return reply('FORBIDDEN');
    }
    seekInfo = orderer.SeekInfo.deserializeBinary(payload.getData_asU8());
  } catch {
    // Everything above is decoding the request: what does not decode is the client's BAD_REQUEST.
    return reply('BAD_REQUEST');
  }
  const height = context.ledger.height();
  const start = position(seekInfo.getStart(), height, height);
  const stop = position(seekInfo.getStop(), height, start);
  if (start === undefined || stop === undefined || stop < start) return reply('BAD_REQUEST');
  if (seekInfo.getBehavior() === orderer.SeekInfo.SeekBehavior.FAIL_IF_NOT_READY && start >= height) return reply('NOT_FOUND');
  for (let number = start; number <= stop; number += 1) {
    await context.ledger.waitForBlock(number, signal);
    const block = context.ledger.block(number);
    if (!block || signal.aborted) return;
    const response = new peer.DeliverResponse();
    if (content === 'block') response.setBlock(block);
    else if (content === 'private') {
      const withPrivateData = new peer.BlockAndPrivateData();
      withPrivateData.setBlock(block);
      response.setBlockAndPrivateData(withPrivateData);
    } else response.setFilteredBlock(filteredBlock(block, channelId));
    await writeMessage(call, response, signal);
  }
  await reply('SUCCESS');
}

/** A seek position as a block number (`newest` is the last block now, next-commit the next one). */
function position(seek: orderer.SeekPosition | undefined, height: number, fallback: number | undefined): number | undefined {
  switch (seek?.getTypeCase() ?? orderer.SeekPosition.TypeCase.TYPE_NOT_SET) {
    case orderer.SeekPosition.TypeCase.OLDEST:
      return 0;
    case orderer.SeekPosition.TypeCase.NEWEST:
      return Math.max(0, height - 1);
    case orderer.SeekPosition.TypeCase.NEXT_COMMIT:
      return height;
    case orderer.SeekPosition.TypeCase.SPECIFIED:
      return seek?.getSpecified()?.getNumber() ?? 0;
    default:
      return fallback;
  }
}

/** A block as DeliverFiltered shows it: transaction ids, types, validation codes, events without payloads. */
function filteredBlock(block: common.Block, channelId: string): peer.FilteredBlock {
  const filter = transactionsFilter(block);
  const filtered = new peer.FilteredBlock();
  filtered.setChannelId(channelId);
  filtered.setNumber(block.getHeader()?.getNumber() ?? 0);
  const eventsByTx = new Map(blockChaincodeEvents(block).map((event) => [event.getTxId(), event]));
  filtered.setFilteredTransactionsList(
    (block.getData()?.getDataList_asU8() ?? []).map((envelopeBytes, txNum) => {
      const transaction = new peer.FilteredTransaction();
      const channelHeader = channelHeaderOf(envelopeBytes);
      transaction.setTxid(channelHeader.getTxId());
      transaction.setType(channelHeader.getType() as common.HeaderTypeMap[keyof common.HeaderTypeMap]);
      transaction.setTxValidationCode((filter[txNum] ?? 0) as peer.TxValidationCodeMap[keyof peer.TxValidationCodeMap]);
      const event = eventsByTx.get(channelHeader.getTxId());
      if (event) {
        const withoutPayload = peer.ChaincodeEvent.deserializeBinary(event.serializeBinary());
        withoutPayload.setPayload(new Uint8Array());
        const action = new peer.FilteredChaincodeAction();
        action.setChaincodeEvent(withoutPayload);
        const actions = new peer.FilteredTransactionActions();
        actions.setChaincodeActionsList([action]);
        transaction.setTransactionActions(actions);
      }
      return transaction;
    }),
  );
  return filtered;
}

/** The channel header of a committed envelope; an empty one for an envelope (invalid, then) that does not decode. */
function channelHeaderOf(envelopeBytes: Uint8Array): common.ChannelHeader {
  try {
    return openEnvelope(envelopeBytes).channelHeader;
  } catch {
    return new common.ChannelHeader();
  }
}
