import { randomBytes } from 'node:crypto';
import { didFromPublicKey, encodeTx, keyPairFromSeed, signTx, toHex } from '@arc/core';
import { expect, type Page, test } from '@playwright/test';
import { screensAndAxe } from './helpers/axe.ts';
import { screens, sidewaysOverflowPx } from './helpers/screens.ts';

/** The seeded demo's well-known accounts (apps/node/src/config/dev-keys.ts) and its token (tokenAddress('DEMO')). */
const ALICE = 'did:abt:z1dnS1Hky3TjS7DK8JFjV7zoKb68Y1R4EjN';
const BOB = 'did:abt:z1Tvo2VmEf9ih4B8m3cHCPLEV2FPCCnyWPU';
const DEMO = 'did:abt:z35nCbQGGhpm7E3DsHbw8QcfpYMJi2fjaHQ44';

/** What the node answers to a tRPC query, through the web server's /trpc. */
async function trpcQuery<T>(page: Page, path: string, input?: unknown): Promise<T> {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await page.request.get(`/trpc/${path}${query}`);
  expect(response.ok(), `${path}: ${response.status()}`).toBe(true);
  return (await response.json()).result.data as T;
}

/** Waits until a table shows rows (not loading skeletons) and returns them. */
async function loadedRows(page: Page, table: string) {
  const element = page.getByRole('table', { name: table });
  await expect(element).toHaveAttribute('aria-busy', 'false');
  const rows = element.locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  return rows;
}

async function shownHeight(page: Page): Promise<number> {
  return Number(((await page.getByTestId('height').textContent()) ?? '').replaceAll(',', ''));
}

/** The height of the newest row of "Latest blocks". */
async function newestRowHeight(page: Page): Promise<number> {
  const link = page.getByRole('table', { name: 'Latest blocks' }).locator('tbody tr').first().locator('[data-height]');
  return Number(await link.getAttribute('data-height'));
}

/** Marks the document, so a test can tell that what it saw came without a reload. */
async function markDocument(page: Page) {
  await page.evaluate(() => {
    (window as unknown as { __explorerMark: boolean }).__explorerMark = true;
  });
}
async function expectSameDocument(page: Page) {
  expect(await page.evaluate(() => (window as unknown as { __explorerMark?: boolean }).__explorerMark)).toBe(true);
}

test('the home shows the head, tx/s, latest blocks and transactions, and a new block appears without a reload', async ({
  page,
}, testInfo) => {
  // Screenshots and axe at two widths: more than the default minute on a busy machine.
  test.slow();
  await page.goto('/explorer');
  await expect(page.getByRole('heading', { level: 1, name: 'Chain overview' })).toBeVisible();
  await expect.poll(() => shownHeight(page)).toBeGreaterThanOrEqual(1);
  await expect(page.getByRole('group', { name: 'Tx per second' })).toContainText(/\d+\.\d\d/);
  await expect(page.getByRole('group', { name: 'Total supply' })).toContainText(/[\d,]+(\.\d+)? ABT/);
  await expect(page.getByTestId('verified')).toHaveText(/^(Verified to height [\d,]+|Not verified yet)$/);
  await loadedRows(page, 'Latest blocks');
  const txs = await loadedRows(page, 'Latest transactions');
  expect(await txs.count()).toBeGreaterThanOrEqual(1);
  await expect(page.getByRole('table', { name: 'Latest transactions' })).toContainText('Transfer');

  // Live through the gateway: the next block's row arrives in this document.
  await expect(page.getByTestId('live-state')).toHaveAttribute('data-realtime', 'live');
  await markDocument(page);
  const before = await newestRowHeight(page);
  await expect.poll(() => newestRowHeight(page), { timeout: 10_000 }).toBeGreaterThan(before);
  await expectSameDocument(page);
  // The table keeps its row count: new rows never push the page down.
  await expect(page.getByRole('table', { name: 'Latest blocks' }).locator('tbody tr')).toHaveCount(10);

  const ready = async () => {
    await loadedRows(page, 'Latest blocks');
    expect(await sidewaysOverflowPx(page)).toBeLessThanOrEqual(0);
  };
  await screensAndAxe(page, testInfo, 'explorer-home', ready);
});

test('fits a phone screen without sideways scrolling', async ({ page }) => {
  test.slow();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/explorer');
  await loadedRows(page, 'Latest blocks');
  await loadedRows(page, 'Latest transactions');
  await expect.poll(() => shownHeight(page)).toBeGreaterThanOrEqual(1);
  expect(await sidewaysOverflowPx(page)).toBeLessThanOrEqual(0);
});

test('says the node cannot be reached, and how to fix it, when no node answers', { tag: '@node-down' }, async ({ page }) => {
  await page.goto('/explorer');
  // (Next keeps an empty `alert` of its own for route announcements.)
  const alert = page.getByRole('alert').filter({ hasText: 'Cannot reach the node' });
  await expect(alert).toContainText(/Cannot reach the node at http:\/\/127\.0\.0\.1:\d+, is it running\?/);
  await expect(alert.getByRole('button', { name: 'Retry now' })).toBeVisible();
});

interface OcapChain {
  name: string;
  info: { chainId: string } | null;
  status: 'ok' | 'unavailable';
}

test('lists the chains the node reaches, with their CAIP-2 ids and status, on a desktop and a phone', async ({ page }) => {
  test.slow();
  const chains = await trpcQuery<OcapChain[]>(page, 'ocap.chains');
  for (const name of ['arc', 'mock']) {
    const chain = chains.find((c) => c.name === name);
    expect(chain?.status).toBe('ok');
    expect(chain?.info?.chainId).toMatch(/^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}$/);
  }
  await page.goto('/explorer');
  const panel = page.getByRole('region', { name: 'Connected chains' });
  await expect(await loadedRows(page, 'Connected chains')).toHaveCount(chains.length);
  for (const width of [1366, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await expect(panel.getByText('arc:arc-dev', { exact: true }).filter({ visible: true })).toHaveCount(1);
    await expect(panel.getByText('mock:mock', { exact: true }).filter({ visible: true })).toHaveCount(1);
    const sidewaysPx = await panel.getByRole('table').evaluate((table) => table.scrollWidth - (table.parentElement?.clientWidth ?? 0));
    expect(sidewaysPx).toBeLessThanOrEqual(0);
  }
});

interface Block {
  height: number;
  hash: string;
  prevHash: string;
  proposer: string;
  stateRoot: string;
  txCount: number;
}

test('a block page shows the header, the seal, the proposer and the transactions; unknown and malformed heights say so', async ({
  page,
}, testInfo) => {
  // Screenshots and axe at two widths: more than the default minute on a busy machine.
  test.slow();
  // The block of the seeded demo's first transactions.
  const tx = (await trpcQuery<{ items: { height: number; hash: string }[] }>(page, 'tx.list', { limit: 100 })).items.at(-1);
  if (!tx) throw new Error('the seeded demo made no transaction');
  const block = await trpcQuery<Block>(page, 'block.byHeight', { height: tx.height });

  await page.goto(`/explorer/blocks/${block.height}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`#${block.height.toLocaleString('en-US')}`);
  const header = page.getByRole('region', { name: 'Header' });
  await expect(header).toContainText(block.hash);
  await expect(header).toContainText(block.stateRoot);
  await expect(header.getByRole('link', { name: block.prevHash })).toHaveAttribute('href', `/explorer/blocks/${block.height - 1}`);
  const seal = page.getByRole('region', { name: 'Seal' });
  await expect(seal).toContainText(/Signature\s*[0-9a-f]{128}/);
  await expect(seal.getByRole('link', { name: block.proposer })).toBeVisible();
  const rows = await loadedRows(page, 'Block transactions');
  await expect(rows).toHaveCount(block.txCount);
  await expect(rows.getByRole('link', { name: tx.hash })).toBeVisible();

  await screensAndAxe(page, testInfo, 'explorer-block');

  await page.goto('/explorer/blocks/999999999');
  await expect(page.getByRole('heading', { level: 1, name: 'Not on this chain' })).toBeVisible();
  await page.goto('/explorer/blocks/twelve');
  await expect(page.getByRole('alert').filter({ hasText: 'A block height is a whole number' })).toBeVisible();
});

test('a transaction goes from pending to committed on its page without a reload, with its fee payer, events and raw JSON', async ({
  page,
}, testInfo) => {
  // Screenshots and axe at two widths: more than the default minute on a busy machine.
  test.slow();
  // A faucet claim is a transaction the node makes now: it is pending until the next block.
  const claim = await page.request.post('/trpc/faucet.claim', { data: { did: BOB } });
  expect(claim.ok()).toBe(true);
  const { hash } = (await claim.json()).result.data as { hash: string };

  await page.goto(`/explorer/tx/${hash}`);
  await markDocument(page);
  const status = page.locator('[data-tx-status]');
  await expect(status).toHaveAttribute('data-tx-status', /pending|committed/);
  await expect(page.locator('[data-tx-status="committed"]')).toContainText(/Committed in block \d/, { timeout: 15_000 });
  await expectSameDocument(page);

  // Once committed, the server's render carries what the block says.
  const overview = page.getByRole('region', { name: 'Overview' });
  await expect(overview).toContainText('Transfer');
  await expect(overview).toContainText(/Amount\s*[\d,.]+ ABT/);
  await expect(overview).toContainText(/Fee payer\s*The sender/);
  await expect(page.getByRole('region', { name: 'Events' })).toContainText('feePaid');
  await page.getByText('Show the raw JSON').click();
  await expect(page.getByRole('region', { name: 'Raw' }).locator('pre')).toContainText(`"hash": "${hash}"`);

  await screensAndAxe(page, testInfo, 'explorer-tx');

  // An application paying its user's fees shows as such (the seeded demo's Alice pays Carol's: co-signing one
  // transfer to Bob alone, then two in a batch under one signature).
  type Listed = { hash: string; feePayer: string | null; feePayerBatch: { root: string } | null };
  const txs = (await trpcQuery<{ items: Listed[] }>(page, 'tx.listByAccount', { did: BOB, limit: 100 })).items;
  const alone = txs.find((t) => t.feePayer && !t.feePayerBatch);
  const batched = txs.filter((t) => t.feePayerBatch);
  expect(alone, 'the demo has a transfer whose fee payer co-signed it alone').toBeDefined();
  expect(batched).toHaveLength(2);
  expect(batched[0]?.feePayerBatch?.root).toBe(batched[1]?.feePayerBatch?.root);
  await page.goto(`/explorer/tx/${alone?.hash}`);
  await expect(page.getByRole('region', { name: 'Overview' })).toContainText("An application pays this user's fees.");
  await expect(page.getByTestId('fee-payer-batch')).toHaveCount(0);
  await page.goto(`/explorer/tx/${batched[0]?.hash}`);
  const batch = page.getByTestId('fee-payer-batch');
  await expect(batch).toContainText('Co-signed in a batch: one signature covers up to 2 transactions');
  await expect(batch).toContainText(batched[0]?.feePayerBatch?.root ?? 'a root');
  await screensAndAxe(page, testInfo, 'explorer-tx-batch');

  await page.goto(`/explorer/tx/${'0'.repeat(64)}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Not on this chain' })).toBeVisible();
  await page.goto('/explorer/tx/0xabc');
  await expect(page.getByRole('alert').filter({ hasText: 'A transaction hash is 64 hexadecimal characters' })).toBeVisible();
});

test('an account page verifies its state proof in the browser and shows balances, assets and history', async ({ page }, testInfo) => {
  // Screenshots and axe at two widths: more than the default minute on a busy machine.
  test.slow();
  await page.goto(`/explorer/account/${ALICE}`);
  await expect(page.getByTestId('account-did')).toHaveText(ALICE);
  const mark = page.locator('[data-proof="verified"]');
  await expect(mark).toContainText(/Verified against block \d/);
  await expect(page.getByRole('region', { name: 'Balances' })).toContainText('DEMO');
  await expect(page.getByRole('region', { name: 'Balances' })).toContainText('ABT');
  await expect(page.getByRole('table', { name: 'Assets' })).toContainText('Membership badge');
  await loadedRows(page, 'Account history');

  await screensAndAxe(page, testInfo, 'explorer-account');

  // A malformed DID says what is wrong with it.
  await page.goto(`/explorer/account/${ALICE.slice(0, -2)}`);
  await expect(page.getByRole('alert').filter({ hasText: 'did:abt: addresses are base58 after did:abt:z…' })).toBeVisible();
});

test('token and asset pages show what they are, who owns them and where they came from', async ({ page }, testInfo) => {
  // Screenshots and axe at two widths: more than the default minute on a busy machine.
  test.slow();
  await page.goto(`/explorer/tokens/${DEMO}`);
  await expect(page.getByTestId('token-symbol')).toHaveText('DEMO');
  const token = page.getByRole('region', { name: 'Overview' });
  await expect(token).toContainText('Demo Token');
  await expect(token).toContainText(/Total supply\s*1,000,000 DEMO/);
  await expect(token).toContainText(/Decimals\s*6/);
  await expect(token.getByRole('link', { name: ALICE })).toBeVisible();
  // The seed: Alice made 1,000,000 DEMO, airdropped 25 to Carol, and Carol passed 5 on to Bob.
  await expect(page.getByTestId('holder-count')).toHaveText('3 accounts');
  const holders = page.getByRole('table', { name: 'Token holders' }).locator('tbody tr');
  await expect(holders).toHaveCount(3);
  // Rank, account, balance in the token's decimals, share of the supply; largest first.
  const cells = (row: number) => holders.nth(row).getByRole('cell');
  await expect(cells(0)).toHaveText(['1', /did:abt:/, '999,975 DEMO', '99.99%']);
  await expect(cells(1)).toHaveText(['2', /did:abt:/, '18 DEMO', '< 0.01%']);
  await expect(cells(2)).toHaveText(['3', /did:abt:/, '7 DEMO', '< 0.01%']);
  await expect(holders.nth(0).getByRole('link', { name: ALICE })).toHaveAttribute('href', `/explorer/account/${ALICE}`);
  await expect(holders.nth(2).getByRole('link', { name: BOB })).toHaveAttribute('href', `/explorer/account/${BOB}`);
  await screensAndAxe(page, testInfo, 'explorer-token');

  const assets = await trpcQuery<{ items: { address: string; moniker: string }[] }>(page, 'asset.listByOwner', { owner: ALICE });
  const badge = assets.items.find((a) => a.moniker === 'Membership badge');
  if (!badge) throw new Error('the seeded demo gave Alice no membership badge');
  await page.goto(`/explorer/assets/${badge.address}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Membership badge');
  const asset = page.getByRole('region', { name: 'Overview' });
  await expect(asset).toContainText('{"tier":"gold"}');
  await expect(asset.getByRole('link', { name: ALICE }).first()).toBeVisible();
  await expect(await loadedRows(page, 'Asset history')).not.toHaveCount(0);
  await screensAndAxe(page, testInfo, 'explorer-asset');
});

test('the blocklets page lists each deployment with its version, aliases, owner and deploy transaction', async ({ page }, testInfo) => {
  // Screenshots and axe at two widths: more than the default minute on a busy machine.
  test.slow();
  await page.goto('/explorer/blocklets');
  const rows = await loadedRows(page, 'Blocklets');
  const oracle = rows.filter({ hasText: 'oracle' });
  await expect(oracle).toHaveCount(1);
  await expect(oracle.locator('a[href^="/explorer/tx/"]')).toHaveCount(1);
  await oracle.locator('a[href^="/explorer/tx/"]').click();
  await expect(page.getByRole('region', { name: 'Overview' })).toContainText('Deploy blocklet');
  await page.goBack();
  await loadedRows(page, 'Blocklets');
  await screensAndAxe(page, testInfo, 'explorer-blocklets');
});

test('search: an exact match opens its page, suggestions come as you type, a malformed DID says what is wrong', async ({
  page,
}, testInfo) => {
  // Screenshots and axe at two widths: more than the default minute on a busy machine.
  test.slow();
  await page.goto('/explorer/search?q=DEMO');
  await expect(page).toHaveURL(new RegExp(`/explorer/tokens/${DEMO}$`));
  await page.goto('/explorer/search?q=1');
  await expect(page).toHaveURL(/\/explorer\/blocks\/1$/);

  await page.goto('/explorer/search');
  const box = page.getByRole('combobox', { name: 'Search the chain' }).last();
  await box.fill('orac');
  const option = page.getByRole('option', { name: /oracle/ });
  await expect(option).toBeVisible();
  await screens(page, testInfo, 'explorer-search-suggestions', async () => {
    await box.focus();
    await expect(option).toBeVisible();
  });
  await box.focus();
  await expect(option).toBeVisible();
  await box.press('ArrowDown');
  await expect(option).toHaveAttribute('aria-selected', 'true');
  await box.press('Enter');
  await expect(page).toHaveURL(/\/explorer\/blocklets#oracle$/);

  await page.goto('/explorer/search');
  await page.getByRole('combobox', { name: 'Search the chain' }).last().fill('did:abt:0OIl');
  await expect(page.getByRole('alert').filter({ hasText: 'did:abt: addresses are base58 after did:abt:z…' })).toBeVisible();
  await page.goto(`/explorer/search?q=${encodeURIComponent('did:abt:0OIl')}`);
  await expect(page.getByRole('alert').filter({ hasText: 'did:abt: addresses are base58 after did:abt:z…' })).toBeVisible();
  await screensAndAxe(page, testInfo, 'explorer-search-malformed');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a block page still shows the block, rendered by the server', async ({ page }, testInfo) => {
    const block = await trpcQuery<Block>(page, 'block.byHeight', { height: 1 });
    await page.goto('/explorer/blocks/1');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('#1');
    await expect(page.getByRole('region', { name: 'Header' })).toContainText(block.hash);
    await expect(page.getByRole('region', { name: 'Seal' })).toContainText(/[0-9a-f]{128}/);
    await screens(page, testInfo, 'explorer-block-no-js');
  });
});

test('a transaction that failed in its block says so: the code, the sentence, the block and the fee it cost', async ({
  page,
}, testInfo) => {
  test.slow();
  // A fresh account the faucet funds, which then sends more than it holds: the fee is paid, the transfer fails.
  const key = keyPairFromSeed(new Uint8Array(randomBytes(32)));
  const did = didFromPublicKey(key.publicKey);
  const claim = await page.request.post('/trpc/faucet.claim', { data: { did } });
  expect(claim.ok()).toBe(true);
  await expect
    .poll(async () => (await trpcQuery<{ balance: string } | null>(page, 'account.get', { did }))?.balance ?? '0', { timeout: 15_000 })
    .not.toBe('0');
  const chain = await trpcQuery<{ chainId: string; params: { minFee: string } }>(page, 'chain.info');
  const tx = signTx(
    {
      chainId: chain.chainId,
      from: did,
      publicKey: key.publicKey,
      nonce: 1,
      fee: BigInt(chain.params.minFee),
      feePayer: null,
      itx: { type: 'transfer', to: BOB, amount: 10n ** 30n, tokens: [], assets: [], memo: 'more than it holds' },
    },
    key.secretKey,
  );
  const sent = await page.request.post('/trpc/tx.send', { data: { tx: toHex(encodeTx(tx)) } });
  expect(sent.ok(), await sent.text()).toBe(true);
  const { hash } = (await sent.json()).result.data as { hash: string };

  await page.goto(`/explorer/tx/${hash}`);
  const failed = page.locator('[data-tx-status="failed"]');
  await expect(failed).toContainText(/Failed/, { timeout: 15_000 });
  await expect(failed).toContainText('INSUFFICIENT_FUNDS');
  await expect(page.getByRole('region', { name: 'Events' })).toContainText('txFailed');
  await screensAndAxe(page, testInfo, 'explorer-tx-failed');
});
