import { createRequire } from 'node:module';
import { beforeEach, describe, expect, it } from 'vitest';
import { accountOf } from './identity.ts';
import { testAuthority, testIdentity } from './test-fixtures.ts';

/**
 * The token chaincode (fabric-chaincode/token) run through fabric-shim's own contract dispatcher, with an in-memory
 * world state that, like Fabric, lets a transaction read only committed state and applies its writes when it succeeds.
 */
const require = createRequire(import.meta.url);
const { TokenContract } = require('../../fabric-chaincode/token/index.js') as { TokenContract: new () => unknown };
const ChaincodeFromContract = require('fabric-shim/lib/contract-spi/chaincodefromcontract.js') as new (
  contracts: unknown[],
  serializers: unknown,
  metadata: unknown,
  title: string,
  version: string,
) => { Invoke(stub: unknown): Promise<{ status: number; message?: string; payload?: Buffer }> };
const { JSONSerializer } = require('fabric-contract-api') as { JSONSerializer: unknown };
// The dispatcher logs every refusal at ERROR; the tests check them themselves.
(require('fabric-shim/lib/logger.js') as { setLevel(level: string): void }).setLevel('CRITICAL');

const authority = testAuthority();
const minter = testIdentity(authority, 'minter');
const alice = testIdentity(authority, 'alice');
const bob = testIdentity(authority, 'bob');
const account = (identity: { mspId: string; certificatePem: string }) => accountOf(identity.mspId, identity.certificatePem);

describe('token chaincode', () => {
  const chaincode = new ChaincodeFromContract(
    [TokenContract],
    { transaction: 'jsonSerializer', serializers: { jsonSerializer: JSONSerializer } },
    {},
    'token',
    '1.0.0',
  );
  let state: Map<string, Buffer>;
  let txCount = 0;

  /** Runs one transaction as `who`; returns its response, its event and whether it committed. */
  async function invoke(who: { mspId: string; certificatePem: string }, fn: string, ...args: string[]) {
    const writes = new Map<string, Buffer | null>();
    let event: { name: string; payload: unknown } | undefined;
    txCount += 1;
    const stub = {
      getBufferArgs: () => [fn, ...args].map((a) => Buffer.from(a)),
      getTxID: () => `tx${txCount}`,
      getChannelID: () => 'mychannel',
      getCreator: () => ({ mspid: who.mspId, idBytes: Buffer.from(who.certificatePem) }),
      getState: async (key: string) => state.get(key) ?? Buffer.alloc(0),
      putState: async (key: string, value: Uint8Array) => void writes.set(key, Buffer.from(value)),
      deleteState: async (key: string) => void writes.set(key, null),
      createCompositeKey: (type: string, attributes: string[]) => `\u0000${type}\u0000${attributes.map((a) => `${a}\u0000`).join('')}`,
      setEvent: (name: string, payload: Uint8Array) => {
        event = { name, payload: JSON.parse(Buffer.from(payload).toString('utf8')) };
      },
    };
    const response = await chaincode.Invoke(stub);
    if (response.status === 200) {
      for (const [key, value] of writes) {
        if (value === null) state.delete(key);
        else state.set(key, value);
      }
    }
    return { status: response.status, message: response.message ?? '', payload: response.payload?.toString('utf8') ?? '', event };
  }

  const ok = async (...call: Parameters<typeof invoke>) => {
    const result = await invoke(...call);
    expect(result.status, result.message).toBe(200);
    return result;
  };
  const refused = async (code: string, ...call: Parameters<typeof invoke>) => {
    const result = await invoke(...call);
    expect(result.status).toBe(500);
    expect(result.message).toMatch(new RegExp(`^${code}: `));
    return result.message;
  };

  beforeEach(async () => {
    state = new Map();
    await ok(minter, 'Initialize', 'Arc Test Token', 'ATT', '6');
  });

  it('initializes once, makes the caller the minter and answers the token info', async () => {
    expect((await ok(alice, 'TokenName')).payload).toBe('Arc Test Token');
    expect((await ok(alice, 'Symbol')).payload).toBe('ATT');
    expect((await ok(alice, 'Decimals')).payload).toBe('6');
    expect((await ok(alice, 'TotalSupply')).payload).toBe('0');
    expect((await ok(alice, 'Minter')).payload).toBe(account(minter));
    await refused('FORBIDDEN', alice, 'Initialize', 'Other', 'OTH', '2');
  });

  it('reports the caller account as the adapter computes it', async () => {
    expect((await ok(alice, 'ClientAccountID')).payload).toBe(account(alice));
  });

  it('mints for the minter only, emitting Transfer from null', async () => {
    const minted = await ok(minter, 'Mint', '1000');
    expect(minted.event).toEqual({ name: 'Transfer', payload: { from: null, to: account(minter), value: '1000' } });
    expect((await ok(alice, 'TotalSupply')).payload).toBe('1000');
    expect((await ok(alice, 'BalanceOf', account(minter))).payload).toBe('1000');
    expect(await refused('FORBIDDEN', alice, 'Mint', '5')).toContain('only the minter');
  });

  it('transfers with a Transfer event and exact balance moves', async () => {
    await ok(minter, 'Mint', '1000');
    const sent = await ok(minter, 'Transfer', account(alice), '250');
    expect(sent.event).toEqual({ name: 'Transfer', payload: { from: account(minter), to: account(alice), value: '250' } });
    expect((await ok(bob, 'BalanceOf', account(minter))).payload).toBe('750');
    expect((await ok(bob, 'BalanceOf', account(alice).toUpperCase())).payload).toBe('250');
    expect((await ok(bob, 'BalanceOf', account(bob))).payload).toBe('0');
  });

  it('refuses an overdraft, leaving balances as they were', async () => {
    await ok(minter, 'Mint', '10');
    const message = await refused('INSUFFICIENT_FUNDS', minter, 'Transfer', account(alice), '11');
    expect(message).toContain('holds 10, 11 needed');
    await refused('INSUFFICIENT_FUNDS', alice, 'Transfer', account(bob), '1');
    expect((await ok(bob, 'BalanceOf', account(minter))).payload).toBe('10');
  });

  it('refuses negative, fractional, non-numeric, zero and oversized amounts with clear messages', async () => {
    await ok(minter, 'Mint', '10');
    expect(await refused('INVALID_ARGUMENT', minter, 'Transfer', account(alice), '-5')).toContain('negative');
    expect(await refused('INVALID_ARGUMENT', minter, 'Transfer', account(alice), '1.5')).toContain('whole number');
    expect(await refused('INVALID_ARGUMENT', minter, 'Transfer', account(alice), '1e3')).toContain('whole number');
    expect(await refused('INVALID_ARGUMENT', minter, 'Transfer', account(alice), 'ten')).toContain('whole number');
    expect(await refused('INVALID_ARGUMENT', minter, 'Transfer', account(alice), '0')).toContain('above 0');
    expect(await refused('INVALID_ARGUMENT', minter, 'Mint', (2n ** 256n).toString())).toContain('2^256');
    expect((await invoke(minter, 'Transfer', account(alice))).message).toBe('Expected 2 parameters, but 1 have been supplied');
    await refused('INVALID_ADDRESS', minter, 'Transfer', 'nobody', '1');
  });

  it('keeps amounts exact beyond 2^53', async () => {
    const big = (2n ** 200n + 7n).toString();
    await ok(minter, 'Mint', big);
    await ok(minter, 'Transfer', account(alice), '1');
    expect((await ok(bob, 'BalanceOf', account(minter))).payload).toBe((2n ** 200n + 6n).toString());
    await refused('INVALID_ARGUMENT', minter, 'Mint', (2n ** 256n - 2n ** 200n).toString());
  });

  it('lets a spender move an approved amount, and no more', async () => {
    await ok(minter, 'Mint', '100');
    const approved = await ok(minter, 'Approve', account(alice), '30');
    expect(approved.event).toEqual({ name: 'Approval', payload: { owner: account(minter), spender: account(alice), value: '30' } });
    expect((await ok(bob, 'Allowance', account(minter), account(alice))).payload).toBe('30');
    const moved = await ok(alice, 'TransferFrom', account(minter), account(bob), '20');
    expect(moved.event).toEqual({ name: 'Transfer', payload: { from: account(minter), to: account(bob), value: '20' } });
    expect((await ok(bob, 'Allowance', account(minter), account(alice))).payload).toBe('10');
    expect(await refused('FORBIDDEN', alice, 'TransferFrom', account(minter), account(bob), '11')).toContain('may move 10');
    await refused('FORBIDDEN', bob, 'TransferFrom', account(minter), account(bob), '1');
    expect((await ok(bob, 'BalanceOf', account(bob))).payload).toBe('20');
    expect((await ok(bob, 'BalanceOf', account(minter))).payload).toBe('80');
  });

  it('answers NOT_FOUND before Initialize', async () => {
    state = new Map();
    await refused('NOT_FOUND', alice, 'Symbol');
    await refused('NOT_FOUND', minter, 'Mint', '1');
  });
});
