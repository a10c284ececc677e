import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { deploySource } from './helpers/blocklets.ts';
import { type NodeClient, nodeClient } from './helpers/client.ts';
import { ABT, randomSigner, transfer, Wallet } from './helpers/wallet.ts';

/**
 * ctx.blocklets.call: one blocklet of a node asks another as a service (its `call` handler, as an invocation of its
 * own), as a bridge relayer asks the bridge's signers. The callee's writes are its own; calls nest boundedly and
 * never loop.
 */

const COUNTER = `
export default {
  async call(input, ctx) {
    if (input?.op === 'fail') throw new Error('asked to fail');
    const count = ((await ctx.kv.get('count')) ?? 0) + 1;
    await ctx.kv.set('count', count);
    return { count, by: input?.by ?? null };
  },
};
`;

const CALLER = `
export default {
  async call(input, ctx) {
    try {
      if (input.op === 'call') return { got: await ctx.blocklets.call(input.name, input.input) };
      if (input.op === 'then-fail') {
        await ctx.blocklets.call(input.name, input.input);
        throw new Error('failed after the call');
      }
      if (input.op === 'many') {
        for (let i = 0; i < input.times; i++) await ctx.blocklets.call(input.name, {});
        return { done: true };
      }
    } catch (e) {
      if (input.op === 'then-fail') throw e;
      return { code: e.code, message: e.message };
    }
  },
};
`;

const manifest = (name: string, owner: string) => `name: ${name}
version: 1.0.0
title: ${name}
author: ${owner}
entry: index.ts
`;

describe('blocklets calling blocklets (ctx.blocklets.call)', () => {
  let node: TestNode;
  let client: NodeClient;
  let owner: Wallet;
  const invoke = async (name: string, input: object) =>
    (await client.blocklet.invoke.mutate({ name, input: input as never })).output as never;

  beforeAll(async () => {
    node = await startTestNode({ blockIntervalMs: 100 });
    client = nodeClient(node.url);
    const faucet = new Wallet(client, node.chainId, devKey('faucet'));
    owner = new Wallet(client, node.chainId, randomSigner());
    await client.tx.wait.query({ hash: (await faucet.send(transfer(owner.did, 10n * ABT))).hash, timeoutMs: 10_000 });
    await deploySource(client, owner, manifest('counter', owner.did), { 'index.ts': COUNTER });
    // A chain of callers: caller-a may call caller-b, which may call caller-c (and back, which is refused).
    for (const name of ['caller-a', 'caller-b', 'caller-c'])
      await deploySource(client, owner, manifest(name, owner.did), { 'index.ts': CALLER });
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
  });

  it("answers the callee's output, and the callee's writes are its own and stand", async () => {
    expect(await invoke('caller-a', { op: 'call', name: 'counter', input: { by: 'a' } })).toEqual({ got: { count: 1, by: 'a' } });
    // The caller fails after the call: the callee's invocation had committed already.
    await expect(invoke('caller-a', { op: 'then-fail', name: 'counter', input: {} })).rejects.toThrow(/failed after the call/);
    expect(await invoke('counter', {})).toMatchObject({ count: 3 });
  });

  it("hands back the callee's failure with its code, and a missing blocklet as not found", async () => {
    expect(await invoke('caller-a', { op: 'call', name: 'counter', input: { op: 'fail' } })).toMatchObject({
      code: expect.any(String),
      message: expect.stringMatching(/counter failed: .*asked to fail/),
    });
    expect(await invoke('caller-a', { op: 'call', name: 'nobody-here', input: {} })).toMatchObject({ code: 'BLOCKLET_NOT_FOUND' });
    expect(await invoke('caller-a', { op: 'call', name: 'Not A Name', input: {} })).toMatchObject({ code: 'BAD_INPUT' });
  });

  it('refuses a call that loops back into a blocklet of the chain, and nesting past 3', async () => {
    const loop = await invoke('caller-a', { op: 'call', name: 'caller-b', input: { op: 'call', name: 'caller-a', input: {} } });
    expect(loop).toEqual({ got: { code: 'BAD_INPUT', message: expect.stringMatching(/caller-a → caller-b → caller-a/) } });
    const deep = await invoke('caller-a', {
      op: 'call',
      name: 'caller-b',
      input: { op: 'call', name: 'caller-c', input: { op: 'call', name: 'counter', input: {} } },
    });
    expect(deep).toEqual({ got: { got: { code: 'LIMIT_EXCEEDED', message: expect.stringMatching(/at most 3 deep/) } } });
    expect(await invoke('caller-a', { op: 'many', name: 'counter', times: 21 })).toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });
});
