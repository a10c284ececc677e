import { decodeTx, fromHex, toHex } from '@arc/core';
import { describe, expect, it } from 'vitest';
import { createClient } from './client.ts';
import { ClientError, TxFailedError } from './errors.ts';
import { FakeError, fakeFetch, type Handler } from './testing/fake-node.ts';
import { accountWith, FakeState } from './testing/fake-state.ts';
import { Wallet } from './wallet.ts';

const alice = Wallet.generate();
const bob = Wallet.generate();
const HASH = 'ab'.repeat(32);

const chainInfo = {
  chainId: 'arc-test',
  height: 1,
  headHash: HASH,
  stateRoot: HASH,
  timeMs: 0,
  nativeToken: { symbol: 'ABT', name: 'ArcBlock Token', decimals: 18, totalSupply: '1000' },
  params: { minFee: '7', maxTxBytes: 16384, maxTxsPerBlock: 1000, maxBlockBytes: 1 << 20, economy: { publishStake: '1000' } },
  mempool: { size: 0, capacity: 10 },
  faucet: { enabled: true, amount: '100' },
  nodeDid: alice.did,
};

function fakeNode(state: FakeState, overrides: Record<string, Handler> = {}) {
  const sent: string[] = [];
  const calls: string[] = [];
  const handlers: Record<string, Handler> = {
    'chain.info': () => chainInfo,
    'account.get': (input) => state.accountResponse((input as { did: string }).did),
    'block.byHeight': (input) => ({
      height: (input as { height: number }).height,
      hash: HASH,
      prevHash: HASH,
      timeMs: 0,
      proposer: alice.did,
      txRoot: HASH,
      stateRoot: toHex(state.root),
      txCount: 0,
      txHashes: [],
    }),
    'tx.send': (input) => {
      sent.push((input as { tx: string }).tx);
      return { hash: HASH, status: 'pending', height: null };
    },
    'tx.wait': () => ({ hash: HASH, status: 'committed', height: 2, error: null, tx: null }),
    ...overrides,
  };
  const client = createClient({ url: 'http://node.test/', fetch: fakeFetch(handlers, calls) });
  return { client, sent, calls };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof ClientError ? `${error.code}${error.retriable ? ' (retriable)' : ''}` : String(error);
  }
  return 'resolved';
}

describe('ArcClient', () => {
  const state = new FakeState().put(accountWith(alice.did, 10n ** 20n, 4));

  it('parses chain info amounts into bigint', async () => {
    const info = await fakeNode(state).client.chainInfo();
    expect(info.params.minFee).toBe(7n);
    expect(info.nativeToken.totalSupply).toBe(1000n);
  });

  it('returns a verified account and its next nonce', async () => {
    const { client } = fakeNode(state);
    expect((await client.getAccount(alice.did)).balance).toBe(10n ** 20n);
    expect(await client.nextNonce(alice.did)).toBe(5);
  });

  it('refuses an account whose proof does not match, or whose root is not the block root', async () => {
    const lying = fakeNode(state, {
      'account.get': () => ({ ...state.accountResponse(alice.did), balance: '1' }),
    });
    expect(await codeOf(lying.client.getAccount(alice.did))).toBe('PROOF_INVALID');
    const otherRoot = fakeNode(state, { 'block.byHeight': () => ({ ...fakeBlock(), stateRoot: HASH }) });
    expect(await codeOf(otherRoot.client.getAccount(alice.did))).toBe('PROOF_INVALID');
  });

  it('builds, signs and sends a transfer with the chain id, next nonce and minimum fee', async () => {
    const { client, sent } = fakeNode(state);
    const result = await client.transfer({ wallet: alice, to: bob.did, amount: 3n, memo: 'm' });
    expect(result).toMatchObject({ hash: HASH, status: 'committed', height: 2 });
    const tx = decodeTx(fromHex(sent[0] as string));
    expect(tx).toMatchObject({ chainId: 'arc-test', from: alice.did, nonce: 5, fee: 7n });
    expect(tx.itx).toEqual({ type: 'transfer', to: bob.did, amount: 3n, tokens: [], assets: [], memo: 'm' });
  });

  it('gives unawaited transactions consecutive nonces', async () => {
    const { client, sent } = fakeNode(state);
    await client.transfer({ wallet: alice, to: bob.did, amount: 1n, wait: false });
    await client.transfer({ wallet: alice, to: bob.did, amount: 1n, wait: false });
    expect(sent.map((hex) => decodeTx(fromHex(hex)).nonce)).toEqual([5, 6]);
  });

  it("throws the ledger's code when the transaction is rejected, and frees the nonce", async () => {
    const rejected = { hash: HASH, status: 'rejected', height: null, tx: null };
    const { client, sent } = fakeNode(state, {
      'tx.wait': () => ({ ...rejected, error: { code: 'INSUFFICIENT_FUNDS', message: 'the sender has 0 ABT' } }),
    });
    expect(await codeOf(client.transfer({ wallet: alice, to: bob.did, amount: 1n }))).toBe('INSUFFICIENT_FUNDS (retriable)');
    expect(await codeOf(client.transfer({ wallet: alice, to: bob.did, amount: 1n }))).toBe('INSUFFICIENT_FUNDS (retriable)');
    expect(sent.map((hex) => decodeTx(fromHex(hex)).nonce)).toEqual([5, 5]);
  });

  it("throws TxFailedError with the ledger's code for a transaction that failed in its block, and keeps its nonce used", async () => {
    const failed = { hash: HASH, status: 'failed', height: 9, tx: null };
    const { client, sent } = fakeNode(state, {
      'tx.wait': () => ({ ...failed, error: { code: 'INSUFFICIENT_FUNDS', message: 'alice has 3 and cannot send 5' } }),
    });
    const error = await client.transfer({ wallet: alice, to: bob.did, amount: 5n }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TxFailedError);
    expect(error).toMatchObject({ code: 'INSUFFICIENT_FUNDS', retriable: false, height: 9, hash: HASH });
    expect((error as Error).message).toMatch(/failed in block 9 .*alice has 3 and cannot send 5.*fee was charged/);
    await client.transfer({ wallet: alice, to: bob.did, amount: 1n }).catch(() => undefined);
    expect(sent.map((hex) => decodeTx(fromHex(hex)).nonce)).toEqual([5, 6]);
  });

  it("rebuilds the node's typed errors from tRPC errors", async () => {
    const { client } = fakeNode(state, {
      'tx.send': () => {
        throw new FakeError('nonce 5 was already used', { code: 'CONFLICT', appCode: 'NONCE_TOO_LOW', retriable: false });
      },
    });
    const error = await client.transfer({ wallet: alice, to: bob.did, amount: 1n }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({ code: 'NONCE_TOO_LOW', retriable: false, message: 'nonce 5 was already used' });
  });

  it('times out a transaction that stays pending', async () => {
    const { client } = fakeNode(state, { 'tx.wait': () => ({ hash: HASH, status: 'pending', height: null, error: null, tx: null }) });
    expect(await codeOf(client.transfer({ wallet: alice, to: bob.did, amount: 1n, timeoutMs: 600 }))).toBe('TIMEOUT (retriable)');
  });

  it('reports a dropped transaction', async () => {
    const { client } = fakeNode(state, { 'tx.wait': () => ({ hash: HASH, status: 'unknown', height: null, error: null, tx: null }) });
    expect(await codeOf(client.transfer({ wallet: alice, to: bob.did, amount: 1n }))).toBe('TX_DROPPED (retriable)');
  });

  it('turns an unreachable node into NETWORK and a contract breach into BAD_RESPONSE', async () => {
    const down = createClient({ url: 'http://node.test', fetch: () => Promise.reject(new TypeError('fetch failed')) });
    expect(await codeOf(down.chainInfo())).toBe('NETWORK (retriable)');
    const odd = fakeNode(state, { 'chain.info': () => ({ ...chainInfo, params: { ...chainInfo.params, minFee: 1.5 } }) });
    expect(await codeOf(odd.client.chainInfo())).toBe('BAD_RESPONSE');
  });

  it('turns a request that outlives its timeout into TIMEOUT', async () => {
    const slow: typeof fetch = (_input, init) =>
      new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    const client = createClient({ url: 'http://node.test', fetch: slow, requestTimeoutMs: 50 });
    expect(await codeOf(client.chainInfo())).toBe('TIMEOUT (retriable)');
  });

  it('rejects bad input before any request', async () => {
    const { client, calls } = fakeNode(state);
    expect(await codeOf(client.getAccount('did:abt:zzz'))).toBe('BAD_INPUT');
    expect(() => createClient({ url: 'not a url' })).toThrow(ClientError);
    expect(calls).toEqual([]);
  });
});

function fakeBlock() {
  return { height: 1, hash: HASH, prevHash: HASH, timeMs: 0, proposer: alice.did, txRoot: HASH, stateRoot: HASH, txCount: 0, txHashes: [] };
}
