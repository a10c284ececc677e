import { createHash, randomBytes } from 'node:crypto';
import { fromHex, openApplicationDigest, signAdmin, signMessage } from '@arc/core';
import { afterAll, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import { startTestNode, type TestNode, testDrivers, testGenesis } from '../src/testing.ts';
import { deploySource } from './helpers/blocklets.ts';
import { appError, type NodeClient, nodeClient } from './helpers/client.ts';
import { gatewayApiKey, gatewayLogin } from './helpers/gateway-login.ts';
import { ack, collect, connected, rawSocket } from './helpers/realtime.ts';
import { until } from './helpers/until.ts';
import {
  ABT,
  balanceOf,
  fundedWallet,
  randomSigner,
  type Signer,
  signItx,
  stakeThenPublish,
  type Wallet,
  Wallet as WalletClass,
  waitCommitted,
} from './helpers/wallet.ts';

/**
 * Billing end to end: an application pays for its users. A user with no ABT sends a transaction the application
 * co-signs as fee payer and calls a paid component installed into the application; at the period's end the node
 * settles the bill from the application's deposit and pays the component's beneficiaries (by their shares), the node
 * (its CPU time and the fees) and the treasury. An application that cannot pay is in grace, then suspended (its users
 * get APP_SUSPENDED), and runs again once its owner adds funds.
 */

const PERIOD_MS = 3_000;
const GRACE_MS = 3_000;
const PRICE = 10n ** 15n;
const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const CODE = 'export default { async fetch() { return { body: "priced" }; } };';
const waitFor = (what: string, check: () => Promise<boolean>, timeoutMs = 30_000) =>
  until(what, async () => ((await check()) ? true : undefined), timeoutMs);

async function setup(driver: 'pglite' | 'postgres'): Promise<{ node: TestNode; client: NodeClient; faucet: Wallet }> {
  const base = await testGenesis();
  const genesis = {
    ...base,
    params: { ...base.params, economy: { ...base.params.economy, billingPeriodMs: PERIOD_MS, graceMs: GRACE_MS } },
  };
  const node = await startTestNode({ driver, genesis, blockIntervalMs: 200, marketUsageFlushMs: 300, settlementIntervalMs: 250 });
  const client = nodeClient(node.url);
  return { node, client, faucet: new WalletClass(client, node.chainId, devKey('faucet')) };
}

/** Publishes a per-call component whose revenue splits 70/30, and installs it into `app` (owned by `owner`). */
async function pricedInstall(node: TestNode, client: NodeClient, author: Wallet, owner: Wallet, app: string, shares: [string, string]) {
  const name = `priced-${randomBytes(3).toString('hex')}`;
  const manifest = `name: ${name}\nversion: 1.0.0\ntitle: Priced\nauthor: ${author.did}\nentry: index.ts\ninterfaces:\n  http:\n    - { path: /go, methods: [GET] }\n`;
  const { uploaded } = await deploySource(client, author, manifest, { 'index.ts': CODE });
  const readme = `# ${name}`;
  await client.market.putText.mutate({ text: readme, purpose: 'readme' });
  await stakeThenPublish(author, {
    type: 'publishComponent',
    kind: 'blocklet',
    name,
    version: '1.0.0',
    description: 'Answers for a price',
    manifestHash: fromHex(uploaded.manifestHash),
    bundleHash: fromHex(uploaded.bundleHash),
    readmeHash: fromHex(sha(readme)),
    releaseNotes: '',
    categories: ['tools'],
    chains: [],
    price: { model: 'perCall', amount: PRICE },
    beneficiaries: [
      { did: shares[0], shareBps: 7_000 },
      { did: shares[1], shareBps: 3_000 },
    ],
  });
  await waitFor('the component indexed', async () => (await client.market.search.query({ q: name })).total === 1);
  await node.db.query(
    `INSERT INTO console_applications (app_did, owner_did, name, signed_at_ms, owner_public_key, owner_signature, app_public_key, app_signature, created_at_ms)
     VALUES ($1, $2, 'billed app', $3, '', '', '', '', $3)`,
    [app, owner.did, Date.now()],
  );
  const plan = await client.market.installPlan.query({ name, version: '1.0.0', application: app });
  const params = { application: app, version: '1.0.0', env: {} };
  const tx = await owner.sign({
    type: 'deployBlocklet',
    name: plan.blocklet,
    version: '1.0.0',
    manifestHash: fromHex(plan.manifestHash),
    bundleHash: fromHex(plan.bundleHash),
  });
  await client.market.install.mutate({ name, ...params, tx: tx.hex, auth: signAdmin(owner.signer, 'install', name, params, Date.now()) });
  return { name, blocklet: plan.blocklet };
}

async function openBilling(node: TestNode, owner: Wallet, app: Signer, deposit: bigint): Promise<void> {
  const applicationSignature = signMessage(app.secretKey, openApplicationDigest(node.chainId, app.did, owner.did));
  await owner.commit({ type: 'openApplication', application: app.did, applicationKey: app.publicKey, applicationSignature, deposit });
}

describe.each(testDrivers())('billing on %s', (driver) => {
  const nodes: TestNode[] = [];
  afterAll(async () => {
    for (const node of nodes) await node.stop();
  });

  it('charges the application for its users and pays the beneficiaries by share, the node and the treasury', async () => {
    const { node, client, faucet } = await setup(driver);
    nodes.push(node);
    const economy = node.services.ledger.params.economy;
    const author = await fundedWallet(faucet, 10n * ABT);
    const owner = await fundedWallet(faucet, 10n * ABT);
    const app = randomSigner();
    const [first, second] = [randomSigner().did, randomSigner().did];
    const { name, blocklet } = await pricedInstall(node, client, author, owner, app.did, [first, second]);
    await openBilling(node, owner, app, ABT);
    expect(await client.economy.billing.query({ did: app.did })).toMatchObject({ open: true, status: 'active', deposit: ABT.toString() });

    // A user with no ABT at all: its first transaction is paid by the application, which co-signs it.
    const user = randomSigner();
    const declared = signItx(node.chainId, user, 1, { type: 'declareAccount', moniker: 'no-abt user' }, { payer: app });
    await client.tx.send.mutate({ tx: declared.hex });
    await waitCommitted(client, declared.hash);
    expect(await balanceOf(client, user.did)).toBe(0n);
    // Its fee went on the application's bill (read from the committed transaction: a settlement may already have
    // swept it off the bill by now, the period being seconds long).
    const [committed] = await node.db.query<{ events: { type: string; application?: string }[] }>(
      "SELECT events FROM txs WHERE hash = decode($1, 'hex')",
      [declared.hash],
    );
    expect(committed?.events).toContainEqual(expect.objectContaining({ type: 'feeAccrued', application: app.did }));

    const treasuryBefore = await balanceOf(client, economy.treasury);
    const nodeBefore = await balanceOf(client, node.services.ledger.nodeDid);
    for (let i = 0; i < 3; i += 1) expect((await fetch(`${node.url}/b/${blocklet}/go`)).status).toBe(200);
    // Messages on the application's gateway topics are the node's work too, billed to the application.
    const server = rawSocket(node.url, await gatewayApiKey(client, app, `billing-${Date.now()}`), { reconnection: false });
    await connected(server);
    for (let i = 0; i < 2; i += 1)
      expect(await ack(server, 'publish', { topic: `app:${app.did}:news`, payload: { i } })).toMatchObject({ ok: true });
    server.close();

    // The marketplace hears of it as paid use (recorded on the chain with the calls): it weighs in the rank.
    await waitFor('the 3 calls recorded on the chain as paid use', async () => {
      const [use] = await node.db.query<{ calls: number; paid: string }>(
        'SELECT coalesce(sum(calls), 0)::int AS calls, coalesce(sum(paid), 0)::text AS paid FROM market_usage_daily WHERE component = $1 AND application = $2',
        [name, app.did],
      );
      return use?.calls === 3 && BigInt(use.paid) === 3n * PRICE;
    });
    // The 3 calls settle in one period, or in two when they straddle a period's end (periods are 3 s long here).
    const settledInvoices = async () => {
      const settled = (await client.economy.invoices.query({ did: app.did })).items.filter((i) => i.status === 'settled');
      return Promise.all(settled.map((i) => client.economy.invoice.query({ did: app.did, period: i.period })));
    };
    type Invoice = Awaited<ReturnType<typeof settledInvoices>>[number];
    const componentLines = (invoices: Invoice[]) => invoices.flatMap((i) => i.lines).filter((l) => l.kind === 'component');
    await waitFor('the 3 calls settled', async () => componentLines(await settledInvoices()).reduce((n, l) => n + l.quantity, 0) === 3);
    const invoices = await settledInvoices();
    const { items } = await client.economy.invoices.query({ did: app.did });
    const lines = componentLines(invoices);
    expect(lines.every((l) => l.unit === 'call')).toBe(true);
    expect(lines.reduce((n, l) => n + BigInt(l.amount), 0n)).toBe(3n * PRICE);
    const invoice = invoices.find((i) => i.lines.some((l) => l.kind === 'component')) as Invoice;
    const component = invoice.lines.find((l) => l.kind === 'component');
    expect(invoice.lines.some((l) => l.kind === 'node' && l.unit === 'cpu-ms')).toBe(true);

    // The component's 3 calls: 10% to the treasury, the rest 70/30 (the flooring remainder to the first payee).
    const rest = 3n * PRICE - (3n * PRICE * BigInt(economy.treasuryBps)) / 10_000n;
    expect(await balanceOf(client, second)).toBe((rest * 3_000n) / 10_000n);
    expect(await balanceOf(client, first)).toBe(rest - (rest * 3_000n) / 10_000n);
    // Everything charged left the deposit and went to the payees: the treasury's and the node's gains make up the rest.
    const charged = invoices.reduce((n, i) => n + BigInt(i.charged ?? '0'), 0n);
    expect(charged).toBeGreaterThanOrEqual(3n * PRICE);
    const billing = await client.economy.billing.query({ did: app.did });
    const settledFees = items.filter((i) => i.status === 'settled').reduce((n, i) => n + BigInt(i.charged ?? '0'), 0n);
    expect(BigInt(billing.deposit)).toBe(ABT - settledFees);
    expect(await balanceOf(client, economy.treasury)).toBeGreaterThan(treasuryBefore);
    // The node's line for the calls' CPU may fall in the next period (its usage is metered after the calls): paid by then.
    await waitFor('the node paid for its work', async () => (await balanceOf(client, node.services.ledger.nodeDid)) > nodeBefore);
    await waitFor('the 2 messages billed in a settled period', async () => {
      const periods = (await client.economy.invoices.query({ did: app.did })).items.filter((i) => i.status === 'settled');
      const invoices = await Promise.all(periods.map((i) => client.economy.invoice.query({ did: app.did, period: i.period })));
      return (
        invoices
          .flatMap((i) => i.lines)
          .filter((l) => l.unit === 'message')
          .reduce((n, l) => n + l.quantity, 0) === 2
      );
    });
    const csv = await client.economy.invoiceCsv.query({ did: app.did, period: invoice.period });
    expect(csv.csv.split('\r\n')[0]).toBe('day,kind,payee,quantity,unit,amount_abt,amount_units');
    const calls = component?.quantity ?? 0;
    expect(csv.csv).toContain(`,component,${component?.payee},${calls},call,0.00${calls},${BigInt(calls) * PRICE}`);
  }, 120_000);

  it('puts an application that cannot pay in grace, then suspends it for its users, and resumes it once funded', async () => {
    const { node, client, faucet } = await setup(driver);
    nodes.push(node);
    const author = await fundedWallet(faucet, 10n * ABT);
    const owner = await fundedWallet(faucet, 10n * ABT);
    const app = randomSigner();
    const { blocklet } = await pricedInstall(node, client, author, owner, app.did, [author.did, randomSigner().did]);
    // The owner hears warnings in their inbox (a topic only their DID may subscribe to).
    const socket = rawSocket(node.url, await gatewayLogin(client, owner.signer), { reconnection: false });
    await connected(socket);
    const inbox = collect(socket);
    expect(await ack(socket, 'subscribe', { topic: `inbox:${owner.did}` })).toMatchObject({ ok: true });
    // A deposit worth one call: the second call's bill cannot be paid.
    await openBilling(node, owner, app, PRICE);
    for (let i = 0; i < 4; i += 1) expect((await fetch(`${node.url}/b/${blocklet}/go`)).status).toBe(200);
    await waitFor('the application in grace', async () => (await client.economy.billing.query({ did: app.did })).status === 'grace');
    const grace = await client.economy.billing.query({ did: app.did });
    expect(grace.notice).toMatch(/Add funds before/);
    expect(BigInt(grace.unpaid)).toBeGreaterThan(PRICE);
    // Still running in grace.
    expect((await fetch(`${node.url}/b/${blocklet}/go`)).status).toBe(200);

    await waitFor('the application suspended', async () => (await client.economy.billing.query({ did: app.did })).status === 'suspended');
    await waitFor('its blocklet refused', async () => (await fetch(`${node.url}/b/${blocklet}/go`)).status === 403);
    const warned = (status: string) => inbox.some((e) => (e.payload as { status?: string; application?: string }).status === status);
    await waitFor('the owner warned of grace, then of the suspension', async () => warned('grace') && warned('suspended'));
    expect(inbox[0]?.payload).toMatchObject({ kind: 'billing', application: app.did, status: 'grace' });
    expect((inbox[0]?.payload as { message?: string } | undefined)?.message).toMatch(/Add funds before/);
    socket.close();
    const refused = await fetch(`${node.url}/b/${blocklet}/go`);
    expect(await refused.text()).toContain('APP_SUSPENDED');
    const user = randomSigner();
    const paidByApp = signItx(node.chainId, user, 1, { type: 'declareAccount', moniker: 'late user' }, { payer: app });
    expect(await appError(client.tx.send.mutate({ tx: paidByApp.hex }))).toMatchObject({ appCode: 'APP_SUSPENDED' });

    const unpaid = BigInt((await client.economy.billing.query({ did: app.did })).unpaid);
    await owner.commit({ type: 'fundApplication', application: app.did, amount: unpaid + ABT });
    const resumed = await client.economy.billing.query({ did: app.did });
    expect(resumed).toMatchObject({ status: 'active', unpaid: '0', notice: null });
    await waitFor('its blocklet answering again', async () => (await fetch(`${node.url}/b/${blocklet}/go`)).status === 200);
    const later = signItx(node.chainId, user, 1, { type: 'declareAccount', moniker: 'late user' }, { payer: app });
    await client.tx.send.mutate({ tx: later.hex });
    await waitCommitted(client, later.hash);
  }, 120_000);
});
