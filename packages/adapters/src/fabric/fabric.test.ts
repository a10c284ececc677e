import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isOcapError, type OcapErrorCode } from '@arc/core';
import { status as grpcStatus, Metadata, type ServiceError } from '@grpc/grpc-js';
import { CommitError, EndorseError, GatewayError, StatusCode } from '@hyperledger/fabric-gateway';
import { common } from '@hyperledger/fabric-protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFabricAdapter } from './adapter.ts';
import { blockHeaderHash, decodeBlock, toOcapBlock, toOcapTx } from './blocks.ts';
import { fabricConfigFromEnv, parseEndpoint, parseFabricConfig } from './config.ts';
import { commitFailure, toOcapError } from './errors.ts';
import { accountOf, FabricSigner, fabricSecretKey, loadIdentity, parseSecretKey, signingOf } from './identity.ts';
import { endorserEnvelope, testAuthority, testBlock, testIdentity } from './test-fixtures.ts';
import { blockHeaderHash as devPeerBlockHash } from './testing/block.ts';
import { decodeTransferPayload, tokenEventDecoder } from './tokens.ts';

const require = createRequire(import.meta.url);
const chaincodeAccount = require('../../fabric-chaincode/token/lib/account.js') as { accountOf(mspId: string, pem: string): string };

const authority = testAuthority();
const alice = testIdentity(authority, 'alice');
const bob = testIdentity(authority, 'bob');
const txId = (n: number) => createHash('sha256').update(`tx ${n}`).digest('hex');

function expectCode(error: unknown, code: OcapErrorCode): void {
  if (!isOcapError(error)) throw new Error(`expected OcapError ${code}, got ${String(error)}`);
  expect(error.code, error.message).toBe(code);
}

function serviceError(code: number, message: string): ServiceError {
  return Object.assign(new Error(message), { code, details: message, metadata: new Metadata() });
}

describe('fabric identities and accounts', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fabric-identity-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('derives the same account as the token chaincode, from MSP id, issuer and subject', () => {
    const account = accountOf(alice.mspId, alice.certificatePem);
    expect(account).toMatch(/^[0-9a-f]{64}$/);
    expect(chaincodeAccount.accountOf(alice.mspId, alice.certificatePem)).toBe(account);
    expect(accountOf(bob.mspId, bob.certificatePem)).not.toBe(account);
    expect(accountOf('Org2MSP', alice.certificatePem)).not.toBe(account);
  });

  it('keeps the account when the certificate is renewed for the same subject', () => {
    const renewed = testIdentity(authority, 'alice', 'Org1MSP');
    expect(renewed.certificatePem).not.toBe(alice.certificatePem);
    expect(accountOf(renewed.mspId, renewed.certificatePem)).toBe(accountOf(alice.mspId, alice.certificatePem));
  });

  it('makes signers from identity bytes (JSON or a PEM bundle) and refuses a bare 32-byte secret', () => {
    const fromJson = parseSecretKey(fabricSecretKey(alice), 'Org9MSP');
    expect(fromJson).toBeInstanceOf(FabricSigner);
    expect(fromJson.mspId).toBe('Org1MSP');
    expect(fromJson.address).toBe(accountOf('Org1MSP', alice.certificatePem));
    const fromPem = parseSecretKey(Buffer.from(`${alice.privateKeyPem}\n${alice.certificatePem}`), 'Org1MSP');
    expect(fromPem.address).toBe(fromJson.address);
    expectCode(
      (() => {
        try {
          return parseSecretKey(crypto.getRandomValues(new Uint8Array(32)), 'Org1MSP');
        } catch (error) {
          return error;
        }
      })(),
      'INVALID_ARGUMENT',
    );
  });

  it('refuses a key that does not belong to the certificate', () => {
    expect(() => FabricSigner.create({ mspId: 'Org1MSP', certificatePem: alice.certificatePem, privateKey: bob.privateKeyPem })).toThrow(
      /does not belong/,
    );
  });

  it('never shows the private key in JSON, inspection or error messages', async () => {
    const signer = parseSecretKey(fabricSecretKey(alice), 'Org1MSP');
    const keyBody = alice.privateKeyPem.split('\n')[1] as string;
    expect(JSON.stringify(signer)).not.toContain(keyBody);
    const { inspect } = await import('node:util');
    expect(inspect(signer, { depth: 10, showHidden: true })).not.toContain(keyBody);
    try {
      parseSecretKey(Buffer.from(`{"certificatePem": 1, "privateKeyPem": ${JSON.stringify(alice.privateKeyPem)}}`), 'Org1MSP');
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(keyBody);
    }
  });

  it('loads an MSP folder, picking the keystore file that matches the certificate', async () => {
    const mspDir = join(dir, 'msp');
    await mkdir(join(mspDir, 'signcerts'), { recursive: true });
    await mkdir(join(mspDir, 'keystore'), { recursive: true });
    await writeFile(join(mspDir, 'signcerts', 'cert.pem'), alice.certificatePem);
    await writeFile(join(mspDir, 'keystore', 'a_old_sk'), bob.privateKeyPem);
    await writeFile(join(mspDir, 'keystore', 'b_sk'), alice.privateKeyPem);
    const signer = await loadIdentity({ mspDir }, 'Org1MSP');
    expect(signer.address).toBe(accountOf('Org1MSP', alice.certificatePem));
    const sig = await signingOf(signer).sign(createHash('sha256').update('hello').digest());
    expect(sig.length).toBeGreaterThan(60);
  });

  it('loads a certificate and key file pair, and names a missing file without reading secrets', async () => {
    await writeFile(join(dir, 'cert.pem'), bob.certificatePem);
    await writeFile(join(dir, 'key.pem'), bob.privateKeyPem);
    const signer = await loadIdentity({ certPath: join(dir, 'cert.pem'), keyPath: join(dir, 'key.pem') }, 'Org1MSP');
    expect(signer.address).toBe(accountOf('Org1MSP', bob.certificatePem));
    const error = await loadIdentity({ certPath: join(dir, 'cert.pem'), keyPath: join(dir, 'nope.pem') }, 'Org1MSP').catch((e) => e);
    expectCode(error, 'INVALID_ARGUMENT');
    expect((error as Error).message).toContain('nope.pem');
  });
});

describe('fabric blocks and transactions', () => {
  const transfer = {
    txId: txId(1),
    creator: alice,
    chaincode: 'token',
    args: ['Transfer', accountOf(bob.mspId, bob.certificatePem), '250'],
    timestampMs: 1_700_000_000_123,
    event: { name: 'Transfer', payload: Buffer.from(JSON.stringify({ from: 'a'.repeat(64), to: 'b'.repeat(64), value: '250' })) },
    endorsers: [bob],
  };
  const conflicting = { ...transfer, txId: txId(2), timestampMs: 1_700_000_000_456, event: undefined };
  const previousHash = createHash('sha256').update('parent').digest();
  const bytes = testBlock(
    7,
    previousHash,
    [endorserEnvelope(transfer), endorserEnvelope(conflicting)],
    [StatusCode.VALID, StatusCode.MVCC_READ_CONFLICT],
  );

  it('hashes the header as Fabric does (DER of number, previous hash, data hash), as the dev peer does', () => {
    const block = common.Block.deserializeBinary(bytes);
    const header = block.getHeader() as common.BlockHeader;
    const ours = blockHeaderHash({ number: 7, previousHash: header.getPreviousHash_asU8(), dataHash: header.getDataHash_asU8() });
    expect(ours).toBe(devPeerBlockHash(header).toString('hex'));
    // Genesis: empty previous hash, number 0 as 02 01 00.
    const zero = blockHeaderHash({ number: 0, previousHash: new Uint8Array(), dataHash: new Uint8Array(32) });
    const der = Buffer.concat([Buffer.from('30270201000400', 'hex'), Buffer.from('0420', 'hex'), Buffer.alloc(32)]);
    expect(zero).toBe(createHash('sha256').update(der).digest('hex'));
  });

  it('decodes envelopes: tx id, creator, chaincode call, event, endorsements and validation codes', () => {
    const block = decodeBlock(bytes);
    expect(block.number).toBe(7);
    expect(block.previousHash).toBe(previousHash.toString('hex'));
    const [first, second] = block.transactions;
    expect(first).toMatchObject({
      index: 0,
      txId: txId(1),
      type: 'ENDORSER_TRANSACTION',
      timestampMs: 1_700_000_000_123,
      validation: 'VALID',
      chaincode: 'token',
      fn: 'Transfer',
      creator: { mspId: 'Org1MSP', account: accountOf('Org1MSP', alice.certificatePem) },
      event: { chaincode: 'token', name: 'Transfer' },
      response: { status: 200 },
    });
    expect(first?.endorsements).toHaveLength(1);
    expect(first?.endorsements[0]?.account).toBe(accountOf('Org1MSP', bob.certificatePem));
    expect(second).toMatchObject({ index: 1, txId: txId(2), validation: 'MVCC_READ_CONFLICT', event: null });
  });

  it('reads a block as OCAP: latest client timestamp, every tx id, parent linked', () => {
    const block = decodeBlock(bytes);
    expect(toOcapBlock(block)).toEqual({
      height: 7,
      hash: block.hash,
      parentHash: previousHash.toString('hex'),
      timestampMs: 1_700_000_000_456,
      txHashes: [txId(1), txId(2)],
    });
  });

  it('reports a token transfer with its receiver and amount, and an invalidated one as failed with its code', () => {
    const block = decodeBlock(bytes);
    const [ok, failed] = block.transactions;
    expect(toOcapTx(ok!, block, 9, 'token')).toEqual({
      hash: txId(1),
      status: 'success',
      from: accountOf('Org1MSP', alice.certificatePem),
      to: accountOf('Org1MSP', bob.certificatePem),
      value: 250n,
      fee: 0n,
      blockHeight: 7,
      blockHash: block.hash,
      confirmations: 3,
    });
    expect(toOcapTx(failed!, block, 7, 'token')).toMatchObject({ status: 'failed', error: 'MVCC_READ_CONFLICT', value: 0n, to: null });
    expect(toOcapTx(ok!, block, 7, 'other-token')).toMatchObject({ status: 'success', value: 0n, to: null });
  });

  it('reads a block without a transactions filter as not validated, never as valid', () => {
    const raw = common.Block.deserializeBinary(bytes);
    raw.getMetadata()?.setMetadataList([]);
    const block = decodeBlock(raw.serializeBinary());
    expect(block.transactions.map((t) => t.validation)).toEqual(['NOT_VALIDATED', 'NOT_VALIDATED']);
  });

  it('keeps a block readable when one envelope does not decode', () => {
    const block = decodeBlock(testBlock(3, new Uint8Array(32), [Buffer.from('not an envelope'), endorserEnvelope(transfer)], [255, 0]));
    expect(block.transactions[0]).toMatchObject({ type: 'UNDECODABLE', txId: '' });
    expect(block.transactions[1]?.txId).toBe(txId(1));
    expect(toOcapBlock(block).txHashes).toEqual([txId(1)]);
  });
});

describe('fabric error mapping', () => {
  const ctx = { action: 'test', chainId: 'fabric:abc' };
  const gatewayError = (code: number, message: string, details: string[] = []) =>
    new GatewayError({
      code,
      message,
      details: details.map((m) => ({ address: 'peer0:7051', mspId: 'Org1MSP', message: m })),
      cause: serviceError(code, message),
    });

  it('maps the token chaincode refusals by their code prefix, from evaluate and from endorse', () => {
    const evaluate = gatewayError(
      grpcStatus.UNKNOWN,
      'evaluate call to endorser returned error: chaincode response 500, INSUFFICIENT_FUNDS: account ab holds 0, 5 needed.',
    );
    expectCode(toOcapError(evaluate, ctx), 'INSUFFICIENT_FUNDS');
    const endorse = new EndorseError({
      code: grpcStatus.ABORTED,
      message: 'failed to endorse transaction, see attached details for more info',
      details: [
        { address: 'peer0:7051', mspId: 'Org1MSP', message: 'chaincode response 500, INVALID_ADDRESS: the receiver "x" is not an account' },
      ],
      cause: serviceError(grpcStatus.ABORTED, 'failed to endorse'),
      transactionId: txId(3),
    });
    const mapped = toOcapError(endorse, ctx);
    expectCode(mapped, 'INVALID_ADDRESS');
    expect(mapped.cause).toBe(endorse);
    expect(mapped.message).toContain(txId(3));
    expectCode(
      toOcapError(gatewayError(grpcStatus.ABORTED, 'x', ['chaincode response 500, FORBIDDEN: only the minter']), ctx),
      'FORBIDDEN',
    );
    expectCode(toOcapError(gatewayError(grpcStatus.ABORTED, 'x', ['chaincode response 500, something else broke']), ctx), 'REVERTED');
  });

  it('maps gRPC statuses: deadline → TIMEOUT, unavailable → UNAVAILABLE, access denied → FORBIDDEN', () => {
    expectCode(toOcapError(gatewayError(grpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded'), ctx), 'TIMEOUT');
    expectCode(toOcapError(gatewayError(grpcStatus.UNAVAILABLE, 'No connection established'), ctx), 'UNAVAILABLE');
    expectCode(toOcapError(gatewayError(grpcStatus.PERMISSION_DENIED, 'access denied'), ctx), 'FORBIDDEN');
    expectCode(
      toOcapError(
        gatewayError(
          grpcStatus.FAILED_PRECONDITION,
          'evaluate call to endorser returned error: error validating proposal: access denied: channel [mychannel] creator org [Org1MSP]',
        ),
        ctx,
      ),
      'FORBIDDEN',
    );
    expectCode(
      toOcapError(
        gatewayError(grpcStatus.FAILED_PRECONDITION, 'No metadata was found for chaincode nonexistent in channel mychannel'),
        ctx,
      ),
      'NOT_FOUND',
    );
    expectCode(
      toOcapError(
        gatewayError(grpcStatus.FAILED_PRECONDITION, 'no peers available to evaluate chaincode missing in channel mychannel'),
        ctx,
      ),
      'NOT_FOUND',
    );
    expectCode(toOcapError(gatewayError(grpcStatus.UNIMPLEMENTED, 'unknown service gateway.Gateway'), ctx), 'ADAPTER_UNSUPPORTED');
    expectCode(toOcapError(serviceError(grpcStatus.UNAVAILABLE, 'connect ECONNREFUSED'), ctx), 'UNAVAILABLE');
    expectCode(toOcapError(new Error('what'), ctx), 'INTERNAL');
  });

  it('maps qscc "not found" answers to NOT_FOUND only for lookups', () => {
    const notFound = gatewayError(
      grpcStatus.UNKNOWN,
      'chaincode response 500, Failed to get block number 99, error Entry not found in index',
    );
    expectCode(toOcapError(notFound, { ...ctx, lookup: true }), 'NOT_FOUND');
    expectCode(toOcapError(notFound, ctx), 'REVERTED');
  });

  it('maps commit failures: MVCC and phantom reads → NONCE_TOO_LOW, duplicate id → KNOWN_TRANSACTION, policy → FORBIDDEN', () => {
    const commit = (code: number) => new CommitError({ code: code as never, transactionId: txId(4), message: 'failed' });
    const mvcc = toOcapError(commit(StatusCode.MVCC_READ_CONFLICT), ctx);
    expectCode(mvcc, 'NONCE_TOO_LOW');
    expect(mvcc.message).toContain('MVCC_READ_CONFLICT');
    expect(mvcc.cause).toBeInstanceOf(CommitError);
    expectCode(toOcapError(commit(StatusCode.PHANTOM_READ_CONFLICT), ctx), 'NONCE_TOO_LOW');
    expectCode(toOcapError(commit(StatusCode.DUPLICATE_TXID), ctx), 'KNOWN_TRANSACTION');
    expectCode(toOcapError(commit(StatusCode.ENDORSEMENT_POLICY_FAILURE), ctx), 'FORBIDDEN');
    expectCode(commitFailure({ code: StatusCode.EXPIRED_CHAINCODE, transactionId: txId(5) }, ctx), 'REVERTED');
  });
});

describe('fabric config', () => {
  const base = { endpoint: '127.0.0.1:7051', channel: 'mychannel', mspId: 'Org1MSP', identity: { mspDir: '/msp' } };

  it('fills defaults and reads endpoints with or without a scheme', () => {
    const settings = parseFabricConfig(base);
    expect(settings).toMatchObject({ chaincode: 'token', evaluateTimeoutMs: 5_000, commitStatusTimeoutMs: 60_000 });
    expect(parseEndpoint(settings)).toEqual({ target: '127.0.0.1:7051', host: '127.0.0.1', tls: false });
    expect(parseEndpoint({ endpoint: 'grpcs://peer0.org1.example.com:7051' })).toMatchObject({ tls: true, host: 'peer0.org1.example.com' });
    expect(parseEndpoint({ endpoint: 'grpc://localhost:7051/' })).toMatchObject({ tls: false, target: 'localhost:7051' });
  });

  it('names every bad field and never echoes a PEM', () => {
    let message = '';
    try {
      parseFabricConfig({
        ...base,
        endpoint: 'http://x',
        channel: 'Bad Channel',
        chaincode: 'bad name',
        identity: { certificatePem: '', privateKeyPem: 'SECRET' },
      });
    } catch (error) {
      expectCode(error, 'INVALID_ARGUMENT');
      message = (error as Error).message;
    }
    expect(message).toMatch(/endpoint/);
    expect(message).toMatch(/channel/);
    expect(message).toMatch(/chaincode/);
    expect(message).not.toContain('SECRET');
  });

  it('builds a config from environment variables, or none without FABRIC_GATEWAY_URL', () => {
    expect(fabricConfigFromEnv({})).toBeUndefined();
    expect(
      fabricConfigFromEnv({
        FABRIC_GATEWAY_URL: 'grpcs://peer:7051',
        FABRIC_CHANNEL: 'mychannel',
        FABRIC_MSP_ID: 'Org1MSP',
        FABRIC_MSP_DIR: '/m',
        FABRIC_TLS_CA_PATH: '/ca.pem',
      }),
    ).toMatchObject({ endpoint: 'grpcs://peer:7051', identity: { mspDir: '/m' }, tls: { caCertPath: '/ca.pem' } });
    expect(() => fabricConfigFromEnv({ FABRIC_GATEWAY_URL: 'peer:7051' })).toThrow(/FABRIC_CHANNEL.*FABRIC_MSP_ID.*FABRIC_MSP_DIR/);
  });
});

describe('fabric adapter without a peer', () => {
  const adapter = createFabricAdapter({
    endpoint: '127.0.0.1:1',
    channel: 'mychannel',
    mspId: 'Org1MSP',
    identity: { certificatePem: alice.certificatePem, privateKeyPem: alice.privateKeyPem },
    evaluateTimeoutMs: 2_000,
  });
  afterAll(() => adapter.close());

  it('states its capabilities honestly and refuses assets', async () => {
    expect(adapter.capabilities()).toEqual({
      accounts: 'emulated',
      tokens: 'emulated',
      assets: false,
      events: 'native',
      reorgs: false,
      native: 'native',
    });
    expectCode(await adapter.getAsset('x').catch((e) => e), 'ADAPTER_UNSUPPORTED');
  });

  it('validates accounts, amounts, hashes and raw transactions before reaching the peer', async () => {
    const me = adapter.signer(fabricSecretKey(alice));
    expect(adapter.isAddress(me.address)).toBe(true);
    expect(adapter.isAddress(me.address.toUpperCase())).toBe(true);
    for (const garbage of ['garbage', '', '0x1234', 'g'.repeat(64)]) expect(adapter.isAddress(garbage)).toBe(false);
    expectCode(await adapter.getBalance('nope').catch((e) => e), 'INVALID_ADDRESS');
    expectCode(await adapter.transfer(me, { to: 'nope', amount: 1n }).catch((e) => e), 'INVALID_ADDRESS');
    expectCode(await adapter.transfer(me, { to: me.address, amount: 0n }).catch((e) => e), 'INVALID_ARGUMENT');
    expectCode(await adapter.getTransaction('abc').catch((e) => e), 'INVALID_ARGUMENT');
    expectCode(await adapter.broadcast('0xdeadbeef').catch((e) => e), 'INVALID_ARGUMENT');
    expectCode(await adapter.broadcast('not hex at all').catch((e) => e), 'INVALID_ARGUMENT');
    expectCode(await adapter.getTokenInfo('bad name!').catch((e) => e), 'INVALID_ARGUMENT');
    expect(() => adapter.events({ checkpoint: { v: 2 } as never })).toThrow(/not made by a Fabric event stream/);
  });

  it('answers UNAVAILABLE when the peer cannot be reached', async () => {
    expectCode(await adapter.getLatestBlock().catch((e) => e), 'UNAVAILABLE');
  });

  it('keeps a private key given as PEM text out of anything inspectable', async () => {
    const { inspect } = await import('node:util');
    const keyBody = alice.privateKeyPem.split('\n')[1] as string;
    expect(inspect(adapter, { depth: 20, showHidden: true })).not.toContain(keyBody);
    expect(inspect(await adapter.native.identity(), { depth: 20, showHidden: true })).not.toContain(keyBody);
  });
});

describe('fabric token events', () => {
  it('decodes Transfer payloads, a mint with from null, and passes anything else on as a log', () => {
    const a = 'a'.repeat(64);
    expect(decodeTransferPayload(Buffer.from(JSON.stringify({ from: a, to: 'B'.repeat(64), value: '12' })))).toEqual({
      from: a,
      to: 'b'.repeat(64),
      value: 12n,
    });
    expect(decodeTransferPayload(Buffer.from(JSON.stringify({ from: null, to: a, value: '5' })))).toMatchObject({ from: null, value: 5n });
    expect(decodeTransferPayload(Buffer.from('{"value": "-1"}'))).toBeUndefined();
    const coin = tokenEventDecoder('token', 'transfer');
    expect(coin('Transfer', Buffer.from(JSON.stringify({ from: a, to: a, value: '1' })))).toMatchObject({ kind: 'transfer', token: null });
    expect(
      tokenEventDecoder('gold', 'tokenTransfer')('Transfer', Buffer.from(JSON.stringify({ from: a, to: a, value: '1' }))),
    ).toMatchObject({
      kind: 'tokenTransfer',
      token: 'gold',
    });
    expect(coin('Approval', Buffer.from('{}'))).toEqual({
      kind: 'log',
      from: null,
      to: null,
      amount: 0n,
      token: null,
      address: 'token',
      topics: ['Approval'],
      data: Buffer.from('{}').toString('hex'),
    });
  });
});
