import { parseAccountId } from '@arc/core';
import { expect } from 'vitest';
import { expectOcapError } from './expect-error.ts';
import { GARBAGE_ADDRESSES } from './level1.ts';
import type { SuiteScope } from './scope.ts';

/** Raw transactions no chain decodes: broadcast must refuse them as bad input, not as a transport failure. */
const GARBAGE_RAW_TXS = ['0xdeadbeef', 'not hex at all'];

/** Level 2 accounts, tokens and assets, `broadcast` and level 3: every write path maps errors and honours idempotency keys. */
export function writeChecks({ it, h, a, fresh, confirm, funded }: SuiteScope): void {
  it('gives CAIP-10 account ids, or refuses as unsupported', async () => {
    if (a().capabilities().accounts === false) {
      await expectOcapError(() => a().accountId(h().funded.address), 'ADAPTER_UNSUPPORTED');
      return;
    }
    const info = await a().info();
    expect(parseAccountId(a().accountId(h().funded.address)).chainId).toBe(info.chainId);
    await expectOcapError(() => a().accountId('garbage'), 'INVALID_ADDRESS');
  });

  it('refuses tokens as unsupported when it has none', async (ctx) => {
    if (a().capabilities().tokens !== false) ctx.skip('the adapter claims the tokens capability');
    await expectOcapError(a().getTokenInfo('x'), 'ADAPTER_UNSUPPORTED');
    await expectOcapError(a().getTokenBalance('x', h().funded.address), 'ADAPTER_UNSUPPORTED');
    await expectOcapError(a().transferToken(h().funded, { token: 'x', to: h().funded.address, amount: 1n }), 'ADAPTER_UNSUPPORTED');
  });

  /** The token from the harness, or a skip when the adapter has no tokens. */
  function tokenOf(ctx: { skip(reason: string): never }) {
    if (a().capabilities().tokens === false) ctx.skip('tokens capability is false');
    const token = h().token;
    if (!token) throw new Error('the harness must provide `token` when capabilities().tokens is not false');
    return token;
  }

  it('reads and moves token balances', async (ctx) => {
    const token = tokenOf(ctx);
    const info = await a().getTokenInfo(token.address);
    expect(info.symbol.length).toBeGreaterThan(0);
    expect(info.totalSupply).toBeGreaterThanOrEqual(token.amount);
    const holderBefore = await a().getTokenBalance(token.address, token.holder.address);
    expect(holderBefore).toBeGreaterThanOrEqual(token.amount / 2n);
    const receiver = fresh();
    const amount = token.amount / 16n > 0n ? token.amount / 16n : 1n;
    const tx = await confirm((await a().transferToken(token.holder, { token: token.address, to: receiver.address, amount })).hash);
    expect(tx.status).toBe('success');
    expect(await a().getTokenBalance(token.address, receiver.address)).toBe(amount);
    expect(await a().getTokenBalance(token.address, token.holder.address)).toBe(holderBefore - amount);
    await expectOcapError(a().getTokenBalance(token.address, 'garbage'), 'INVALID_ADDRESS');
  });

  it('maps token transfer errors and honours their idempotency keys', async (ctx) => {
    const token = tokenOf(ctx);
    for (const garbage of GARBAGE_ADDRESSES) {
      await expectOcapError(a().transferToken(token.holder, { token: token.address, to: garbage, amount: 1n }), 'INVALID_ADDRESS');
    }
    const to = fresh().address;
    await expectOcapError(a().transferToken(token.holder, { token: token.address, to, amount: 0n }), 'INVALID_ARGUMENT');
    await expectOcapError(a().transferToken(token.holder, { token: token.address, to, amount: -1n }), 'INVALID_ARGUMENT');
    const poor = await funded(h().transferAmount * 10n);
    await expectOcapError(a().transferToken(poor, { token: token.address, to, amount: 1n }), 'INSUFFICIENT_FUNDS');

    const request = { token: token.address, to, amount: 1n, idempotencyKey: `conformance-${crypto.randomUUID()}` };
    const [first, concurrent] = await Promise.all([a().transferToken(token.holder, request), a().transferToken(token.holder, request)]);
    expect(concurrent.hash).toBe(first.hash);
    await confirm(first.hash);
    expect((await a().transferToken(token.holder, request)).hash).toBe(first.hash);
    await expectOcapError(a().transferToken(token.holder, { ...request, amount: 2n }), 'IDEMPOTENCY_CONFLICT');
    await h().mine(1);
    expect(await a().getTokenBalance(token.address, to)).toBe(1n);
  });

  it('refuses assets as unsupported when it has none', async (ctx) => {
    if (a().capabilities().assets !== false) ctx.skip('the adapter claims the assets capability');
    await expectOcapError(a().getAsset('x'), 'ADAPTER_UNSUPPORTED');
    await expectOcapError(a().transferAsset(h().funded, { asset: 'x', to: h().funded.address }), 'ADAPTER_UNSUPPORTED');
  });

  /** A minted asset with its owner, or a skip when the adapter has no assets. */
  async function mintedAsset(ctx: { skip(reason: string): never }) {
    if (a().capabilities().assets === false) ctx.skip('assets capability is false');
    const mint = h().mintAsset;
    if (!mint) throw new Error('the harness must provide `mintAsset` when capabilities().assets is not false');
    const owner = await funded(h().transferAmount * 10n);
    return { owner, asset: await mint(owner) };
  }

  it('reads and moves assets, refusing a non-owner', async (ctx) => {
    const { owner, asset } = await mintedAsset(ctx);
    const receiver = await funded(h().transferAmount * 10n);
    expect((await a().getAsset(asset)).owner).toBe(owner.address);
    const tx = await confirm((await a().transferAsset(owner, { asset, to: receiver.address })).hash);
    expect(tx.status).toBe('success');
    expect((await a().getAsset(asset)).owner).toBe(receiver.address);
    await expectOcapError(a().transferAsset(owner, { asset, to: owner.address }), 'FORBIDDEN');
  });

  it('maps asset transfer errors and honours their idempotency keys', async (ctx) => {
    const { owner, asset } = await mintedAsset(ctx);
    for (const garbage of GARBAGE_ADDRESSES) await expectOcapError(a().transferAsset(owner, { asset, to: garbage }), 'INVALID_ADDRESS');
    const to = fresh().address;
    const request = { asset, to, idempotencyKey: `conformance-${crypto.randomUUID()}` };
    const [first, concurrent] = await Promise.all([a().transferAsset(owner, request), a().transferAsset(owner, request)]);
    expect(concurrent.hash).toBe(first.hash);
    await confirm(first.hash);
    // The owner no longer holds the asset: only the remembered first result can answer this repeat.
    expect((await a().transferAsset(owner, request)).hash).toBe(first.hash);
    await expectOcapError(a().transferAsset(owner, { ...request, to: fresh().address }), 'IDEMPOTENCY_CONFLICT');
    expect((await a().getAsset(asset)).owner).toBe(to);
  });

  it('refuses a malformed raw transaction as an invalid argument', async () => {
    for (const raw of GARBAGE_RAW_TXS) await expectOcapError(a().broadcast(raw), 'INVALID_ARGUMENT');
  });

  it('broadcasts a raw transaction once per idempotency key', async (ctx) => {
    const sign = h().signTransfer;
    if (!sign) return ctx.skip('the harness gives no signTransfer, so the suite cannot make a raw transaction');
    const sender = await funded(h().transferAmount * 10n);
    const receiver = fresh();
    const raw = await sign(sender, { to: receiver.address, amount: h().transferAmount });
    const key = `conformance-${crypto.randomUUID()}`;
    const [first, concurrent] = await Promise.all([
      a().broadcast(raw, { idempotencyKey: key }),
      a().broadcast(raw, { idempotencyKey: key }),
    ]);
    expect(concurrent.hash).toBe(first.hash);
    await confirm(first.hash);
    expect((await a().broadcast(raw, { idempotencyKey: key })).hash).toBe(first.hash);
    const other = await sign(sender, { to: receiver.address, amount: h().transferAmount + 1n });
    await expectOcapError(a().broadcast(other, { idempotencyKey: key }), 'IDEMPOTENCY_CONFLICT');
    expect(await a().getBalance(receiver.address)).toBe(h().transferAmount);
  });

  it('offers a chain-specific API when it claims the native capability', (ctx) => {
    if (a().capabilities().native === false) ctx.skip('native capability is false');
    const native: unknown = a().native;
    expect(native, 'capabilities().native is claimed but adapter.native is empty').toBeTruthy();
    expect(['object', 'function']).toContain(typeof native);
    expect(methodNames(native).length, 'capabilities().native is claimed but adapter.native has no methods').toBeGreaterThan(0);
  });
}

/** The callable members of `value`, own and inherited (classes keep methods on the prototype). */
function methodNames(value: unknown): string[] {
  const names = new Set<string>();
  for (
    let level: unknown = value;
    level && level !== Object.prototype && level !== Function.prototype;
    level = Object.getPrototypeOf(level)
  ) {
    for (const name of Object.getOwnPropertyNames(level)) {
      if (name !== 'constructor' && typeof (value as Record<string, unknown>)[name] === 'function') names.add(name);
    }
  }
  return [...names];
}
