'use strict';
// A key-value contract for the development peer's own tests. Plain CommonJS, as fabric-shim loads it with require().
const { Contract } = require('fabric-contract-api');

async function collect(iterator, read) {
  const results = [];
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) results.push(read(next.value));
  await iterator.close();
  return results;
}

class KvContract extends Contract {
  constructor() {
    super('kv');
  }

  async put(ctx, key, value) {
    await ctx.stub.putState(key, Buffer.from(value));
    ctx.stub.setEvent('put', Buffer.from(JSON.stringify({ key, value })));
    return value;
  }

  async get(ctx, key) {
    return (await ctx.stub.getState(key)).toString('utf8');
  }

  async remove(ctx, key) {
    await ctx.stub.deleteState(key);
  }

  /** Reads then writes a counter: two of these endorsed on the same version conflict at commit. */
  async increment(ctx, key) {
    const current = Number((await ctx.stub.getState(key)).toString('utf8') || '0');
    const next = String(current + 1);
    await ctx.stub.putState(key, Buffer.from(next));
    ctx.stub.setEvent('incremented', Buffer.from(JSON.stringify({ key, value: next })));
    return next;
  }

  async range(ctx, startKey, endKey) {
    const iterator = await ctx.stub.getStateByRange(startKey, endKey);
    return JSON.stringify(await collect(iterator, (kv) => ({ key: kv.key, value: Buffer.from(kv.value).toString('utf8') })));
  }

  /** Counts the keys in a range and records the count: a phantom inserted meanwhile must invalidate it. */
  async countRange(ctx, startKey, endKey, countKey) {
    const iterator = await ctx.stub.getStateByRange(startKey, endKey);
    const count = (await collect(iterator, () => 1)).length;
    await ctx.stub.putState(countKey, Buffer.from(String(count)));
    return String(count);
  }

  async history(ctx, key) {
    const iterator = await ctx.stub.getHistoryForKey(key);
    return JSON.stringify(
      await collect(iterator, (entry) => ({
        txId: entry.txId,
        value: Buffer.from(entry.value).toString('utf8'),
        isDelete: entry.isDelete,
      })),
    );
  }

  async whoami(ctx) {
    return JSON.stringify({ mspId: ctx.clientIdentity.getMSPID(), id: ctx.clientIdentity.getID(), txId: ctx.stub.getTxID() });
  }

  async fail(_ctx, message) {
    throw new Error(message);
  }
}

module.exports.contracts = [KvContract];
