import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, credentials, type ServiceError, status } from '@grpc/grpc-js';
import { CommitStatusError, EndorseError, GatewayError, signers } from '@hyperledger/fabric-gateway';
import { common, gateway, peer as peerProtos } from '@hyperledger/fabric-protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevPeer, type DevPeer, type DevPeerConnection, startDevPeer } from './index.ts';
import { Organization } from './organization.ts';

/** Signs with a key that is not the certificate's. */
const wrongKeySigner = () => signers.newPrivateKeySigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
const refusal = (channel: string, org: string) => `error validating proposal: access denied: channel [${channel}] creator org [${org}]`;

describe('a development peer refusing what a Fabric peer refuses', () => {
  let peer: DevPeer;
  let good: DevPeerConnection;
  let strangersDir: string;

  beforeAll(async () => {
    // No chaincode process: qscc is enough to exercise every signed path (evaluate, endorse, submit, status, events).
    peer = await startDevPeer({ blockCutMs: 20 });
    good = connectDevPeer(peer);
    strangersDir = await mkdtemp(join(tmpdir(), 'fabric-dev-peer-strangers-'));
  });
  afterAll(async () => {
    good?.close();
    await peer?.stop();
    if (strangersDir) await rm(strangersDir, { recursive: true, force: true });
  });

  const qscc = (connection: DevPeerConnection) => connection.gateway.getNetwork(peer.channel).getContract('qscc');

  it('refuses a proposal whose signature is not the creator’s, with Fabric’s status and details', async () => {
    const forger = connectDevPeer(peer, { signer: wrongKeySigner() });
    try {
      const evaluated = await qscc(forger)
        .evaluateTransaction('GetChainInfo', peer.channel)
        .catch((error: unknown) => error);
      expect(evaluated).toBeInstanceOf(GatewayError);
      expect((evaluated as GatewayError).code).toBe(status.FAILED_PRECONDITION);
      expect((evaluated as GatewayError).message).toBe(
        `9 FAILED_PRECONDITION: evaluate call to endorser returned error: ${refusal(peer.channel, 'Org1MSP')}`,
      );
      expect((evaluated as GatewayError).details).toEqual([
        { address: peer.endpoint, mspId: 'Org1MSP', message: refusal(peer.channel, 'Org1MSP') },
      ]);

      const endorsed = await qscc(forger)
        .submitTransaction('GetChainInfo', peer.channel)
        .catch((error: unknown) => error);
      expect(endorsed).toBeInstanceOf(EndorseError);
      expect((endorsed as EndorseError).code).toBe(status.ABORTED);
      expect((endorsed as EndorseError).details[0]?.message).toBe(refusal(peer.channel, 'Org1MSP'));
    } finally {
      forger.close();
    }
  });

  it('refuses a badly signed transaction at submit, and a badly signed status or events request', async () => {
    const transaction = await qscc(good)
      .newProposal('GetChainInfo', { arguments: [peer.channel] })
      .endorse();
    const forged = good.gateway.newSignedTransaction(transaction.getBytes(), await wrongKeySigner()(transaction.getDigest()));
    const submitted = await forged.submit().catch((error: unknown) => error);
    expect((submitted as GatewayError).code).toBe(status.ABORTED);
    expect((submitted as GatewayError).message).toContain('received unsuccessful response from orderer: status=FORBIDDEN');

    const committed = await transaction.submit();
    expect((await committed.getStatus()).successful).toBe(true);
    const forgedCommit = good.gateway.newSignedCommit(committed.getBytes(), await wrongKeySigner()(committed.getDigest()));
    const statusError = await forgedCommit.getStatus().catch((error: unknown) => error);
    expect(statusError).toBeInstanceOf(CommitStatusError);
    expect((statusError as CommitStatusError).code).toBe(status.PERMISSION_DENIED);

    const request = good.gateway.getNetwork(peer.channel).newChaincodeEventsRequest('qscc', { startBlock: 0n });
    const forgedEvents = good.gateway.newSignedChaincodeEventsRequest(request.getBytes(), await wrongKeySigner()(request.getDigest()));
    const events = await forgedEvents.getEvents();
    const eventsError = await events[Symbol.asyncIterator]()
      .next()
      .catch((error: unknown) => error);
    expect((eventsError as GatewayError).code).toBe(status.PERMISSION_DENIED);
  });

  it('refuses strangers: a certificate from another CA under the channel’s MSP id, and another MSP', async () => {
    const sameMspOtherCa = await (await Organization.open(join(strangersDir, 'a'), 'Org1MSP')).identity('Mallory', 'client');
    const otherMsp = await (await Organization.open(join(strangersDir, 'b'), 'Org2MSP')).identity('Trudy', 'client');
    for (const [identity, expected] of [
      [sameMspOtherCa, refusal(peer.channel, 'Org1MSP')],
      [otherMsp, `error validating proposal: access denied: channel [${peer.channel}] creator org unknown, creator is malformed`],
    ] as const) {
      const stranger = connectDevPeer(peer, { identity });
      try {
        const error = await qscc(stranger)
          .evaluateTransaction('GetChainInfo', peer.channel)
          .catch((caught: unknown) => caught);
        expect((error as GatewayError).code).toBe(status.FAILED_PRECONDITION);
        expect((error as GatewayError).details[0]?.message).toBe(expected);
      } finally {
        stranger.close();
      }
    }
  });

  it('issues more client identities of its organization in the MSP folder layout', async () => {
    const alice = await peer.newIdentity('alice');
    expect(existsSync(join(alice.dir, 'signcerts', 'cert.pem'))).toBe(true);
    expect(existsSync(join(alice.dir, 'cacerts', 'ca.pem'))).toBe(true);
    expect(readdirSync(join(alice.dir, 'keystore')).filter((file) => file.endsWith('_sk'))).toHaveLength(1);
    expect(existsSync(join(peer.identityDir, 'signcerts', 'cert.pem'))).toBe(true);
    const connection = connectDevPeer(peer, { identity: alice });
    try {
      const info = common.BlockchainInfo.deserializeBinary(await qscc(connection).evaluateTransaction('GetChainInfo', peer.channel));
      expect(info.getHeight()).toBe(peer.height());
    } finally {
      connection.close();
    }
    await expect(peer.newIdentity('../escape')).rejects.toThrow(/identity name/);
  });

  it('refuses bad options and chaincode folders with a sentence, leaving nothing running', async () => {
    await expect(startDevPeer({ channel: 'Not A Channel' })).rejects.toThrow(/invalid development peer options: channel/);
    await expect(startDevPeer({ chaincodes: [{ name: 'kv', path: join(strangersDir, 'missing') }] })).rejects.toThrow(
      /has no readable package\.json/,
    );
    const broken = join(strangersDir, 'broken');
    await mkdir(broken, { recursive: true });
    await writeFile(join(broken, 'package.json'), JSON.stringify({ name: 'broken', version: '1.0.0', main: 'index.js' }));
    await writeFile(join(broken, 'index.js'), "throw new Error('this contract does not load');\n");
    await expect(startDevPeer({ chaincodes: [{ name: 'broken', path: broken }] })).rejects.toThrow(
      /did not start[\s\S]*this contract does not load/,
    );
  });

  it('survives garbage on every gRPC method and still serves afterwards', async () => {
    const client = new Client(peer.endpoint, credentials.createInsecure());
    const raw = (path: string, bytes: Uint8Array) =>
      new Promise<{ code: number; details: string }>((resolve) => {
        client.makeUnaryRequest(
          path,
          (value: Uint8Array) => Buffer.from(value),
          (value: Buffer) => value,
          bytes,
          { deadline: Date.now() + 5_000 },
          (error: ServiceError | null) => resolve(error ? { code: error.code, details: error.details } : { code: status.OK, details: '' }),
        );
      });
    try {
      for (const path of ['Evaluate', 'Endorse', 'Submit', 'CommitStatus']) {
        for (let round = 0; round < 20; round += 1) {
          const answer = await raw(`/gateway.Gateway/${path}`, randomBytes(1 + Math.floor(Math.random() * 200)));
          expect(answer.code, `${path} answered OK to garbage`).not.toBe(status.OK);
        }
      }
      // Well-formed requests holding garbage inside.
      const evaluateRequest = new gateway.EvaluateRequest();
      const proposal = new peerProtos.SignedProposal();
      proposal.setProposalBytes(randomBytes(64));
      proposal.setSignature(randomBytes(70));
      evaluateRequest.setProposedTransaction(proposal);
      const evaluated = await raw('/gateway.Gateway/Evaluate', evaluateRequest.serializeBinary());
      expect(evaluated.code).toBe(status.INVALID_ARGUMENT);
      const submitRequest = new gateway.SubmitRequest();
      const envelope = new common.Envelope();
      envelope.setPayload(randomBytes(64));
      envelope.setSignature(randomBytes(70));
      submitRequest.setPreparedTransaction(envelope);
      submitRequest.setChannelId(peer.channel);
      expect((await raw('/gateway.Gateway/Submit', submitRequest.serializeBinary())).code).toBe(status.ABORTED);
      const commitRequest = new gateway.SignedCommitStatusRequest();
      commitRequest.setRequest(randomBytes(32));
      expect((await raw('/gateway.Gateway/CommitStatus', commitRequest.serializeBinary())).code).not.toBe(status.OK);

      // The chaincode stream: garbage, a message out of turn, and a registration the peer did not launch.
      const stream = client.makeBidiStreamRequest(
        '/protos.ChaincodeSupport/Register',
        (value: Uint8Array) => Buffer.from(value),
        (value: Buffer) => peerProtos.ChaincodeMessage.deserializeBinary(value),
      );
      const replies: peerProtos.ChaincodeMessage[] = [];
      const ended = new Promise<void>((resolve) => {
        stream.on('data', (message: peerProtos.ChaincodeMessage) => replies.push(message));
        stream.on('error', () => resolve());
        stream.on('end', () => resolve());
      });
      const outOfTurn = new peerProtos.ChaincodeMessage();
      outOfTurn.setType(peerProtos.ChaincodeMessage.Type.GET_STATE);
      stream.write(outOfTurn.serializeBinary());
      const register = new peerProtos.ChaincodeMessage();
      register.setType(peerProtos.ChaincodeMessage.Type.REGISTER);
      const chaincodeId = new peerProtos.ChaincodeID();
      chaincodeId.setName('intruder:1.0');
      register.setPayload(chaincodeId.serializeBinary());
      stream.write(register.serializeBinary());
      await ended;
      expect(replies.map((reply) => reply.getType())).toEqual([
        peerProtos.ChaincodeMessage.Type.ERROR,
        peerProtos.ChaincodeMessage.Type.ERROR,
      ]);
      expect(Buffer.from(replies[1]?.getPayload_asU8() ?? []).toString()).toContain('was not launched by this peer');

      const garbageStream = client.makeBidiStreamRequest(
        '/protos.ChaincodeSupport/Register',
        (value: Uint8Array) => Buffer.from(value),
        (value: Buffer) => value,
      );
      const garbageEnded = new Promise<void>((resolve) => {
        garbageStream.on('error', () => resolve());
        garbageStream.on('end', () => resolve());
        garbageStream.on('data', () => {});
      });
      for (let round = 0; round < 10; round += 1) garbageStream.write(randomBytes(50));
      garbageStream.end();
      await garbageEnded;
    } finally {
      client.close();
    }
    const info = common.BlockchainInfo.deserializeBinary(await qscc(good).evaluateTransaction('GetChainInfo', peer.channel));
    expect(info.getHeight()).toBe(peer.height());
  });
});
