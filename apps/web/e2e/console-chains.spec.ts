import { expect, type Page, test } from '@playwright/test';
import { screensAndAxe } from './helpers/axe.ts';
import { sidewaysOverflowPx } from './helpers/screens.ts';

/**
 * The console's chains page (issue 18, "Chains"): each chain the test node reaches (its ledger `arc`, a `mock`
 * chain, an `ethereum` chain whose RPC endpoint is down, `bridge-anvil`, the anvil its bridge and the bridge's
 * signer blocklets use, and `fabric`, a Hyperledger Fabric channel on the adapters' development peer, issue 24) with
 * its CAIP-2 id, adapter, live status and head height, the capability matrix, and the down chain said in words.
 */

const PASSPHRASE = 'chains page passphrase';

/** A passphrase wallet, then the console's sign-in with it (the console's pages sit behind it). */
async function signInToConsole(page: Page) {
  await page.goto('/wallet');
  await page.getByLabel('New passphrase').fill(PASSPHRASE);
  await page.getByLabel('Type it again').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Create with passphrase' }).click();
  // The passphrase's slow KDF runs in the page: on a busy machine it takes a while.
  await expect(page.getByTestId('abt-balance')).toBeVisible({ timeout: 60_000 });
  // Through the links (a reload would lock the wallet again).
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Console', exact: true }).first().click();
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Chains' }).click();
  await page.getByRole('button', { name: 'Sign in with your wallet' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Sign', exact: true }).click();
}

test.afterEach(async ({ page }, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) await page.screenshot({ path: testInfo.outputPath('failed.png'), fullPage: true });
});

const card = (page: Page, name: string) => page.getByRole('article', { name });

test('the chains page shows each chain with its CAIP-2 id, live status, moving head height and capabilities; a down chain says why', async ({
  page,
}, testInfo) => {
  // Wallet creation (a slow KDF), sign-in, two widths of screenshots and axe: generous for a busy machine.
  test.setTimeout(300_000);
  await signInToConsole(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Chains' })).toBeVisible();

  const arc = card(page, 'arc');
  await expect(arc.getByRole('status')).toHaveAccessibleName('arc: live');
  await expect(arc).toContainText(/arc:[\w-]+/);
  await expect(arc).toContainText('native');
  const mock = card(page, 'mock');
  await expect(mock.getByRole('status')).toHaveAccessibleName('mock: live');
  await expect(mock).toContainText('mock:');

  // The ledger's head follows its blocks (one a second on the test node) without a reload.
  const arcHead = arc.getByTestId('head-arc');
  await expect(arcHead).toHaveText(/^[\d,]+$/);
  const first = Number((await arcHead.textContent())?.replaceAll(',', ''));
  await expect.poll(async () => Number((await arcHead.textContent())?.replaceAll(',', '')), { timeout: 10_000 }).toBeGreaterThan(first);

  // The chain whose endpoint is down: unavailable, with the error in words and no head.
  const ethereum = card(page, 'ethereum');
  await expect(ethereum.getByRole('status')).toHaveAccessibleName('ethereum: unavailable');
  await expect(ethereum).toContainText('The node keeps trying');
  await expect(ethereum.getByTestId('head-ethereum')).toHaveText('—');
  // The bridge's Ethereum (anvil, chain id 31337) is up.
  const anvil = card(page, 'bridge-anvil');
  await expect(anvil.getByRole('status')).toHaveAccessibleName('bridge-anvil: live');
  await expect(anvil).toContainText('eip155:31337');
  // The Fabric channel: live, named by its genesis block, its head a number, its coin the token chaincode's.
  const fabric = card(page, 'fabric');
  await expect(fabric.getByRole('status')).toHaveAccessibleName('fabric: live');
  await expect(fabric).toContainText(/fabric:[0-9a-f]{32}/);
  await expect(fabric).toContainText('Hyperledger Fabric channel arcchannel');
  await expect(fabric.getByTestId('head-fabric')).toHaveText(/^[\d,]+$/);
  await expect(fabric).toContainText('AFC · 6 decimals');

  // The matrix: capabilities down, chains across; each cell says in words what the mark means.
  const matrix = page.getByRole('table', { name: 'Capabilities of each chain' });
  await expect(matrix.getByRole('columnheader')).toHaveText(['Capability', 'arc', 'mock', 'ethereum', 'bridge-anvil', 'fabric']);
  const tokens = matrix.getByRole('row', { name: /Tokens/ });
  await expect(tokens.getByRole('cell')).toHaveCount(5);
  // Fabric's tokens are the token chaincode's, built by the adapter: emulated; it has no assets.
  await expect(tokens.getByRole('cell').last()).toContainText('emulated by the adapter');
  await expect(
    matrix
      .getByRole('row', { name: /Assets/ })
      .getByRole('cell')
      .last(),
  ).toContainText('not supported');
  await expect(
    matrix
      .getByRole('row', { name: /Native calls/ })
      .getByRole('cell')
      .last(),
  ).toContainText('supported natively');

  const ready = async () => {
    await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
    await expect(arc.getByRole('status')).toHaveAccessibleName('arc: live');
    expect(await sidewaysOverflowPx(page)).toBe(0);
  };
  await screensAndAxe(page, testInfo, 'console-chains', ready);
});
