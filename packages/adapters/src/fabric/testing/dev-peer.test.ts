import { fileURLToPath } from 'node:url';
import { status } from '@grpc/grpc-js';
import { type ChaincodeEvent, checkpointers, EndorseError, GatewayError, StatusCode } from '@hyperledger/fabric-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevPeer, type DevPeer, type DevPeerConnection, startDevPeer } from './index.ts';

const CHAINCODE = fileURLToPath(new URL('./chaincode', import.meta.url));
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

/** Reads `count` events from an event iterator, then closes it. */
async function take(events: AsyncIterable<ChaincodeEvent> & { close(): void }, count: number): Promise<ChaincodeEvent[]> {
  const taken: ChaincodeEvent[] = [];
  for await (const event of events) {
    taken.push(event);
    if (taken.length === count) break;
  }
  events.close();
  return taken;
}

describe('a development peer with a fabric-contract-api chaincode', () => {
  let peer: DevPeer;
  let connection: DevPeerConnection;

  beforeAll(async () => {
    peer = await startDevPeer({ chaincodes: [{ name: 'kv', path: CHAINCODE }], blockCutMs: 50 });
    connection = connectDevPeer(peer);
  });
  afterAll(async () => {
    connection?.close();
    await peer?.stop();
  });

  const contract = () => connection.gateway.getNetwork(peer.channel).getContract('kv');

  it('evaluates and submits transactions through a real fabric-gateway client', async () => {
    expect(text(await contract().evaluateTransaction('get', 'greeting'))).toBe('');
    expect(text(await contract().submitTransaction('put', 'greeting', 'hello'))).toBe('hello');
    expect(text(await contract().evaluateTransaction('get', 'greeting'))).toBe('hello');
    const who = JSON.parse(text(await contract().evaluateTransaction('whoami')));
    expect(who.mspId).toBe('Org1MSP');
    expect(who.id).toBe(
      'x509::/C=US/O=org1.example.com/OU=client/CN=User1@org1.example.com::/C=US/O=org1.example.com/CN=ca.org1.example.com',
    );
  });

  it('answers the commit status of a submitted transaction with its block', async () => {
    const heightBefore = peer.height();
    const transaction = await contract()
      .newProposal('put', { arguments: ['status', 'on'] })
      .endorse();
    expect(text(transaction.getResult())).toBe('on');
    const submitted = await transaction.submit();
    const committed = await submitted.getStatus();
    expect(committed).toMatchObject({ code: StatusCode.VALID, successful: true, transactionId: transaction.getTransactionId() });
    expect(committed.blockNumber).toBeGreaterThanOrEqual(BigInt(heightBefore));
    expect(peer.height()).toBe(Number(committed.blockNumber) + 1);
    // Asked again once committed, the answer is the same and immediate.
    expect((await submitted.getStatus()).code).toBe(StatusCode.VALID);
  });

  it('reports a chaincode error as Fabric does: UNKNOWN on evaluate, ABORTED with details on endorse', async () => {
    const evaluated = await contract()
      .evaluateTransaction('fail', 'no way')
      .catch((error: unknown) => error);
    expect(evaluated).toBeInstanceOf(GatewayError);
    expect((evaluated as GatewayError).code).toBe(status.UNKNOWN);
    expect((evaluated as GatewayError).message).toContain('evaluate call to endorser returned error: chaincode response 500, no way');
    const endorsed = await contract()
      .submitTransaction('fail', 'still no')
      .catch((error: unknown) => error);
    expect(endorsed).toBeInstanceOf(EndorseError);
    expect((endorsed as EndorseError).code).toBe(status.ABORTED);
    expect((endorsed as EndorseError).details).toEqual([
      { address: peer.endpoint, mspId: 'Org1MSP', message: 'chaincode response 500, still no' },
    ]);
  });

  it('serves range queries in key order and a key history, newest first', async () => {
    for (const key of ['range-b', 'range-a', 'range-c']) await contract().submitTransaction('put', key, key.toUpperCase());
    await contract().submitTransaction('remove', 'range-c');
    const range = JSON.parse(text(await contract().evaluateTransaction('range', 'range-', 'range-~')));
    expect(range).toEqual([
      { key: 'range-a', value: 'RANGE-A' },
      { key: 'range-b', value: 'RANGE-B' },
    ]);
    await contract().submitTransaction('put', 'range-a', 'again');
    const history = JSON.parse(text(await contract().evaluateTransaction('history', 'range-a')));
    expect(history.map((entry: { value: string }) => entry.value)).toEqual(['again', 'RANGE-A']);
    const deleted = JSON.parse(text(await contract().evaluateTransaction('history', 'range-c')));
    expect(deleted.map((entry: { isDelete: boolean }) => entry.isDelete)).toEqual([true, false]);
  });

  it('streams chaincode events of committed transactions from a start block, and resumes after a checkpoint', async () => {
    const network = connection.gateway.getNetwork(peer.channel);
    const startBlock = BigInt(peer.height());
    const txIds: string[] = [];
    for (const value of ['e1', 'e2', 'e3']) {
      const transaction = await contract()
        .newProposal('put', { arguments: ['event-key', value] })
        .endorse();
      await (await transaction.submit()).getStatus();
      txIds.push(transaction.getTransactionId());
    }
    const events = await take(await network.getChaincodeEvents('kv', { startBlock }), 3);
    expect(events.map((event) => JSON.parse(text(event.payload)).value)).toEqual(['e1', 'e2', 'e3']);
    expect(events.map((event) => event.transactionId)).toEqual(txIds);
    expect(events.every((event) => event.chaincodeName === 'kv' && event.eventName === 'put' && event.blockNumber >= startBlock)).toBe(
      true,
    );

    const checkpointer = checkpointers.inMemory();
    const [first] = await take(await network.getChaincodeEvents('kv', { startBlock }), 1);
    await checkpointer.checkpointChaincodeEvent(first as ChaincodeEvent);
    const resumed = await network.getChaincodeEvents('kv', { checkpoint: checkpointer });
    const [afterCheckpoint] = await take(resumed, 1);
    expect(afterCheckpoint?.transactionId).toBe(txIds[1]);

    // A stream that has caught up waits for the next block.
    const live = await network.getChaincodeEvents('kv');
    const next = take(live, 1);
    await contract().submitTransaction('put', 'event-key', 'live');
    expect(JSON.parse(text((await next)[0]?.payload ?? new Uint8Array())).value).toBe('live');
  });
});

describe('a development peer validating a block of conflicting transactions', () => {
  let peer: DevPeer;
  let connection: DevPeerConnection;

  beforeAll(async () => {
    // Two transactions per block, cut after 2 s otherwise: the pairs below land in one block.
    peer = await startDevPeer({ chaincodes: [{ name: 'kv', path: CHAINCODE }], blockMaxTxs: 2, blockCutMs: 2_000 });
    connection = connectDevPeer(peer);
  });
  afterAll(async () => {
    connection?.close();
    await peer?.stop();
  });

  const contract = () => connection.gateway.getNetwork(peer.channel).getContract('kv');

  it('marks the second of two transactions that read the same version MVCC_READ_CONFLICT and drops its writes', async () => {
    const first = await contract()
      .newProposal('increment', { arguments: ['counter'] })
      .endorse();
    const second = await contract()
      .newProposal('increment', { arguments: ['counter'] })
      .endorse();
    const [firstSubmitted, secondSubmitted] = [await first.submit(), await second.submit()];
    const [firstStatus, secondStatus] = await Promise.all([firstSubmitted.getStatus(), secondSubmitted.getStatus()]);
    expect(firstStatus.code).toBe(StatusCode.VALID);
    expect(secondStatus.code).toBe(StatusCode.MVCC_READ_CONFLICT);
    expect(secondStatus.successful).toBe(false);
    expect(secondStatus.blockNumber).toBe(firstStatus.blockNumber);
    expect(text(await contract().evaluateTransaction('get', 'counter'))).toBe('1');

    // Only the valid transaction's event is streamed.
    const events = connection.gateway.getNetwork(peer.channel).getChaincodeEvents('kv', { startBlock: firstStatus.blockNumber });
    const [event] = await take(await events, 1);
    expect(event?.transactionId).toBe(first.getTransactionId());
  });

  it('marks a range query that a newer write changed PHANTOM_READ_CONFLICT', async () => {
    const counting = await contract()
      .newProposal('countRange', { arguments: ['item-', 'item-~', 'item-count'] })
      .endorse();
    const inserting = await contract()
      .newProposal('put', { arguments: ['item-1', 'new'] })
      .endorse();
    const insertSubmitted = await inserting.submit();
    const countSubmitted = await counting.submit();
    expect((await insertSubmitted.getStatus()).code).toBe(StatusCode.VALID);
    expect((await countSubmitted.getStatus()).code).toBe(StatusCode.PHANTOM_READ_CONFLICT);
    expect(text(await contract().evaluateTransaction('get', 'item-count'))).toBe('');
  });
});
