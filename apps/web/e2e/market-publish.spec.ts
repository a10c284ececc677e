import { expect, type Page, test } from '@playwright/test';
import { addAuthenticator, localBase } from './helpers/authenticator.ts';
import { consent } from './helpers/console.ts';
import { look } from './helpers/look.ts';

/**
 * Publishing from the console (issue 19): a developer deploys a blocklet, opens "Publish to marketplace" from its
 * page (having staked the bond a new name needs), is refused shares that add up to 110%, publishes 1.0.0 signed in the
 * wallet and finds it on the marketplace;
 * then deploys 1.0.1, publishes it too, and the component page lists the new version.
 */

async function openTab(page: Page, name: string): Promise<void> {
  await page.getByRole('tab', { name }).click();
  await expect(page.getByRole('tab', { name })).toHaveAttribute('aria-selected', 'true');
}

test('a publisher publishes a blocklet and then a new version from the console, and sees it listed on the marketplace', async ({
  page,
  context,
  baseURL,
}, testInfo) => {
  test.setTimeout(300_000);
  const base = localBase(baseURL);
  await addAuthenticator(context, page);

  // A wallet with ABT (fees and the publish stake), signed in to the console.
  await page.goto(`${base}/wallet`);
  await page.getByRole('button', { name: 'Create with a passkey' }).click();
  await page.getByRole('button', { name: /^Get .* test ABT$/ }).click();
  await expect(page.getByTestId('abt-balance')).toHaveText(/^100 /);
  // A new name is backed by bonded stake (the dev chain's publish stake: 1 ABT a name): the publisher stakes first.
  await page.getByRole('navigation', { name: 'Wallet' }).getByRole('link', { name: 'Stake', exact: true }).click();
  const stakeForm = page.getByRole('form', { name: 'Stake', exact: true });
  await stakeForm.getByLabel('Amount (ABT)').fill('1');
  await stakeForm.getByRole('button', { name: 'Stake' }).click();
  await consent(page, /Stake 1 ABT/);
  await expect(page.getByTestId('stake-bonded')).toHaveText('1 ABT');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Console' }).click();
  await page.getByRole('button', { name: 'Sign in with your wallet' }).click();
  await consent(page, /Arc Console/);

  // A blocklet from the HTTP template, deployed live.
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Blocklets' }).click();
  await page
    .getByRole('link', { name: /Create (your first|a) blocklet/ })
    .first()
    .click();
  await page.getByRole('radio', { name: /HTTP API/ }).check();
  await page.getByLabel('Name').fill('hello-widget');
  await page.getByRole('button', { name: 'Create and edit' }).click();
  await openTab(page, 'Deploy');
  await page.getByRole('radio', { name: /^Live/ }).check();
  await page.getByRole('button', { name: 'Deploy 1.0.0' }).click();
  await consent(page, /Deploy hello-widget 1\.0\.0/);
  await expect(page.getByText('live 1.0.0')).toBeVisible({ timeout: 30_000 });

  // From its page to the publish form, which picks the deployed version.
  await page.getByRole('link', { name: 'Publish to marketplace' }).click();
  await expect(page.getByRole('heading', { name: 'Publish to the marketplace' })).toBeVisible();
  await expect(page.getByTestId('publish-source')).toContainText('hello-widget@1.0.0');
  await expect(page.getByTestId('publish-bond')).toContainText('covers a new name');
  await page.getByLabel('Categories').fill('developer-tools, demo');
  await page.getByLabel('Chains').fill('arc');
  await page.getByLabel('Release notes').fill('First listing.');

  // Shares that add up to 110% are refused before anything is signed.
  await page.getByRole('button', { name: 'Add a beneficiary' }).click();
  // The dev faucet's DID (apps/node/genesis/dev.json): someone else who gets a share.
  await page.getByLabel('Beneficiary 2 DID').fill('did:abt:z1inHKYewMWmkM72EVvpXc7o62VC2mAWiPZ');
  await page.getByLabel('Beneficiary 2 share %').fill('10');
  await expect(page.getByTestId('shares-sum')).toHaveText(/Sum: 110% \(must be 100%\)/);
  await page.getByRole('button', { name: 'Sign and publish' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The shares add up to 110%' })).toBeVisible();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await page.getByLabel('Beneficiary 1 share %').fill('90');
  await expect(page.getByTestId('shares-sum')).toHaveText('Sum: 100%');

  // The README, previewed, then published with the wallet's consent.
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByRole('region', { name: 'README' }).getByRole('heading', { name: 'hello-widget' })).toBeVisible();
  await look(page, testInfo, 'console-publish', page.getByTestId('shares-sum'));
  await page.getByRole('button', { name: 'Sign and publish' }).click();
  await consent(page, /Publish hello-widget 1\.0\.0[\s\S]*publishComponent/);
  await expect(page.getByRole('status').filter({ hasText: 'hello-widget@1.0.0 is on the ledger' })).toBeVisible({ timeout: 30_000 });

  // Listed on the marketplace.
  await page.getByRole('link', { name: 'See hello-widget on the marketplace' }).click();
  await expect(page).toHaveURL(/\/c\/hello-widget$/);
  await expect(page.getByText('1.0.0').first()).toBeVisible();
  await expect(page.getByText('First listing.')).toBeVisible();

  // A new version: deployed, then published from the same form.
  // Moved through by links: a reload would lock the wallet.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Console' }).click();
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Blocklets' }).click();
  await page.getByRole('link', { name: 'hello-widget' }).first().click();
  await openTab(page, 'Deploy');
  await page.getByRole('button', { name: 'Raise to 1.0.1' }).click();
  await page.getByRole('radio', { name: /^Live/ }).check();
  await page.getByRole('button', { name: 'Deploy 1.0.1' }).click();
  await consent(page, /Deploy hello-widget 1\.0\.1/);
  await expect(page.getByText('live 1.0.1')).toBeVisible({ timeout: 30_000 });
  await page.getByRole('link', { name: 'Publish to marketplace' }).click();
  await expect(page.getByTestId('publish-source')).toContainText('hello-widget@1.0.1');
  await page.getByLabel('Categories').fill('developer-tools, demo');
  await page.getByLabel('Release notes').fill('Says hello faster.');
  await page.getByRole('button', { name: 'Sign and publish' }).click();
  await consent(page, /Publish hello-widget 1\.0\.1/);
  await expect(page.getByRole('status').filter({ hasText: 'hello-widget@1.0.1 is on the ledger' })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('link', { name: 'See hello-widget on the marketplace' }).click();
  await expect(page.getByText('Says hello faster.')).toBeVisible();
  await expect(page.getByText('1.0.1').first()).toBeVisible();

  // And search finds it.
  await page.goto(`${base}/search?q=hello-widget`);
  await expect(page.getByRole('link', { name: /hello-widget/ }).first()).toBeVisible();
});
