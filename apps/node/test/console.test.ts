import { signAdmin, toHex } from '@arc/core';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import type { AppRouter } from '../src/api/router.ts';
import { REGISTER_APPLICATION_OP } from '../src/console/api-schemas.ts';
import { appError, type NodeClient } from './helpers/client.ts';
import { gatewayApiKey, gatewayLogin } from './helpers/gateway-login.ts';
import { useTestNode } from './helpers/node.ts';
import { ABT, MIN_FEE, randomSigner, type Signer, transfer, Wallet } from './helpers/wallet.ts';

/** A tRPC client that sends `authorization: Bearer <token>` (or the raw header given). */
function clientWith(url: string, authorization: string | null): NodeClient {
  return createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: `${url}/trpc`, headers: () => (authorization === null ? {} : { authorization }) })],
  });
}

/** The developer's statement that they own `app`, and the application key's countersignature. */
function ownership(owner: Signer, app: Signer, name: string, timeMs = Date.now()) {
  const params = { owner: owner.did, name };
  return {
    appDid: app.did,
    name,
    ownerAuth: signAdmin(owner, REGISTER_APPLICATION_OP, app.did, params, timeMs),
    appAuth: signAdmin(app, REGISTER_APPLICATION_OP, app.did, params, timeMs),
  };
}

describe('console sessions and applications', () => {
  const ctx = useTestNode('pglite');

  async function signedIn(signer: Signer): Promise<NodeClient> {
    return clientWith(ctx.node.url, `Bearer ${await gatewayLogin(ctx.client, signer)}`);
  }

  it('refuses the console without a session, with a sentence that says to sign in', async () => {
    const refused = await appError(ctx.client.console.overview.query());
    expect(refused).toMatchObject({ appCode: 'UNAUTHORIZED', trpcCode: 'UNAUTHORIZED', retriable: false });
    expect(refused.message).toMatch(/sign in/i);
  });

  it('refuses a forged token, a malformed header and an API key', async () => {
    const forged = clientWith(ctx.node.url, `Bearer st_${toHex(new Uint8Array(32).fill(7))}`);
    expect(await appError(forged.console.applications.query())).toMatchObject({ appCode: 'UNAUTHORIZED' });
    const malformed = clientWith(ctx.node.url, 'Basic dXNlcjpwYXNz');
    expect((await appError(malformed.console.applications.query())).message).toMatch(/Bearer/);
    const app = randomSigner();
    const apiKey = await gatewayApiKey(ctx.client, app, `key-${toHex(app.publicKey).slice(0, 12)}`);
    const withKey = clientWith(ctx.node.url, `Bearer ${apiKey}`);
    expect((await appError(withKey.console.applications.query())).message).toMatch(/API key/);
  });

  it('answers the signed-in DID with a valid token, and SESSION_EXPIRED once it expires', async () => {
    const dev = randomSigner();
    const token = await gatewayLogin(ctx.client, dev);
    const client = clientWith(ctx.node.url, `Bearer ${token}`);
    expect(await client.console.overview.query()).toEqual({ did: dev.did, applications: 0, blocklets: 0, recentDeploys: [] });
    await ctx.node.services.ledger.db.query('UPDATE gateway_sessions SET expires_at_ms = 1 WHERE did = $1', [dev.did]);
    const expired = await appError(client.console.overview.query());
    expect(expired).toMatchObject({ appCode: 'SESSION_EXPIRED', trpcCode: 'UNAUTHORIZED' });
    expect(expired.message).toMatch(/log in again/);
  });

  it('registers an application only with both signatures, and shows it to its owner alone', async () => {
    const dev = randomSigner();
    const other = randomSigner();
    const app = randomSigner();
    const devClient = await signedIn(dev);
    const otherClient = await signedIn(other);

    const timeMs = Date.now();
    const statement = ownership(dev, app, 'Shop', timeMs);
    const params = { owner: dev.did, name: 'Shop' };
    // Countersigned by a key that is not the application's: the signature holds, the signer is wrong.
    const wrongKey = { ...statement, appAuth: signAdmin(randomSigner(), REGISTER_APPLICATION_OP, app.did, params, timeMs) };
    expect(await appError(devClient.console.registerApplication.mutate(wrongKey))).toMatchObject({ appCode: 'FORBIDDEN' });
    // A countersignature of another statement does not hold.
    const otherStatement = { ...statement, appAuth: ownership(dev, app, 'Other', timeMs).appAuth };
    expect(await appError(devClient.console.registerApplication.mutate(otherStatement))).toMatchObject({ appCode: 'UNAUTHORIZED' });
    // Someone else's session cannot use the developer's statement: it names the developer, not them.
    expect(await appError(otherClient.console.registerApplication.mutate(ownership(dev, app, 'Shop')))).toMatchObject({
      appCode: 'UNAUTHORIZED',
    });
    expect(await appError(devClient.console.registerApplication.mutate({ ...ownership(dev, app, 'Shop'), name: 'x' }))).toMatchObject({
      appCode: 'BAD_INPUT',
    });

    const registered = await devClient.console.registerApplication.mutate(ownership(dev, app, 'Shop'));
    expect(registered).toMatchObject({ appDid: app.did, ownerDid: dev.did, name: 'Shop' });
    // Again: the same record (idempotent).
    expect(await devClient.console.registerApplication.mutate(ownership(dev, app, 'Shop'))).toEqual(registered);
    expect(await devClient.console.applications.query()).toEqual([registered]);
    expect((await devClient.console.overview.query()).applications).toBe(1);

    expect(await otherClient.console.applications.query()).toEqual([]);
    expect(await appError(otherClient.console.application.query({ appDid: app.did }))).toMatchObject({ appCode: 'NOT_FOUND' });
    expect(await appError(otherClient.console.registerApplication.mutate(ownership(other, app, 'Mine')))).toMatchObject({
      appCode: 'CONFLICT',
    });
  });

  it("shows an application's API keys, fee grants and what they spent", async () => {
    const dev = randomSigner();
    const appSigner = randomSigner();
    const devClient = await signedIn(dev);
    await devClient.console.registerApplication.mutate(ownership(dev, appSigner, 'Game'));
    await gatewayApiKey(ctx.client, appSigner, `game-${toHex(appSigner.publicKey).slice(0, 10)}`);

    // Funded by the dev account, declared by itself, then it grants fees to a user who sends one transfer.
    await ctx.alice.commit(transfer(appSigner.did, 10n * ABT, 'fund the application'));
    const app = new Wallet(ctx.client, ctx.node.chainId, appSigner);
    await app.commit({ type: 'declareAccount', moniker: 'Game' });
    const user = new Wallet(ctx.client, ctx.node.chainId, randomSigner());
    await ctx.alice.commit(transfer(user.did, ABT));
    await app.commit({ type: 'delegate', grantee: user.did, allowance: 100n * MIN_FEE, expiresAtMs: Date.now() + 3_600_000 });
    await user.commit(transfer(ctx.alice.did, 1n), { payer: appSigner });

    const detail = await devClient.console.application.query({ appDid: appSigner.did });
    expect(detail.account).toMatchObject({ declared: true, moniker: 'Game' });
    expect(detail.apiKeys).toHaveLength(1);
    expect(detail.grants).toEqual([
      expect.objectContaining({ grantee: user.did, allowance: (100n * MIN_FEE).toString(), spent: MIN_FEE.toString() }),
    ]);
    expect(detail.grantsSpent).toBe(MIN_FEE.toString());
  });
});
