import { expect, type Page, test } from '@playwright/test';
import { addAuthenticator, localBase } from './helpers/authenticator.ts';
import { look } from './helpers/look.ts';
import { seedMarket } from './market-seed.ts';

/**
 * The marketplace journey of issue 19: the home page → a search with a typo → a filter → a component's page → install
 * it into an application → call it → review it (once the node has recorded the call) → its rank and the explanation
 * change. The components it needs are published here through the node's API by signed transactions, so the test does
 * not depend on what the demo seed publishes. Pages are opened on localhost: WebAuthn needs a host name.
 */

const nodeUrl = `http://127.0.0.1:${process.env.ARC_E2E_NODE_PORT}`;
const suffix = `e${Date.now().toString(36).slice(-4)}`;
const oracle = `oracle-feed-${suffix}`;
const adapter = `eth-bridge-adapter-${suffix}`;
let publisher = '';

test.beforeAll(async () => {
  test.setTimeout(120_000);
  publisher = (await seedMarket(nodeUrl, suffix)).did;
});

/** Agrees in the wallet's consent dialog, after checking what it says (unlocking first if the wallet asks). */
async function consent(page: Page, says: RegExp): Promise<void> {
  const unlock = page.getByRole('dialog', { name: 'Unlock your wallet' });
  const dialog = page.getByRole('dialog').filter({ has: page.getByRole('button', { name: 'Sign', exact: true }) });
  await expect(dialog.or(unlock)).toBeVisible();
  if (await unlock.isVisible()) await unlock.getByRole('button', { name: 'Unlock with passkey' }).click();
  await expect(dialog).toContainText(says);
  await dialog.getByRole('button', { name: 'Sign', exact: true }).click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
}

test('the marketplace pages are reachable, accessible and fit a phone; hostile README markdown is inert', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  await page.goto('/');
  await look(page, testInfo, 'market-home', page.getByRole('heading', { name: 'Top ranked' }));
  // Published a moment ago (after the demo seed): the newest.
  await expect(page.getByRole('list', { name: 'Newest' }).getByRole('link', { name: oracle })).toBeVisible();

  await page.goto(`/search?q=oracel&kind=spaceship&minRating=nine`);
  await look(page, testInfo, 'market-search', page.getByRole('heading', { name: 'Results for “oracel”' }));
  await expect(page.getByRole('list', { name: 'Results' }).getByRole('link', { name: oracle })).toBeVisible();
  await expect(page.getByText('Nothing matches “oracel” as typed. Showing results for oracle.')).toBeVisible();

  // No catalogue word is within trigram reach of it, so nothing corrects it (the suffix would be: "zzqxv<suffix>"
  // is found as "<suffix>", the word of this run's names it holds).
  await page.goto('/search?q=zzqxvwkj');
  await expect(page.getByText('No components match “zzqxvwkj”.')).toBeVisible();

  await page.goto(`/c/${oracle}`);
  await look(page, testInfo, 'market-component', page.getByRole('heading', { name: 'Why this rank' }));
  const readme = page.locator('#readme');
  await expect(readme.getByRole('heading', { name: 'Oracle feed' })).toBeVisible();
  await expect(readme.getByRole('link', { name: 'docs' })).toHaveAttribute('href', 'https://example.com/docs');
  await expect(readme.getByText('bad', { exact: true })).toBeVisible();
  expect(await readme.locator('a[href^="javascript"], script, img[src^="http:"]').count()).toBe(0);
  await expect(readme.getByText('[image not shown: chart]')).toBeVisible();

  // A component of the demo seed, when there is one: reviews, usage, conformance and a config snippet on one page.
  for (const seeded of ['adapter-ethereum', 'oracle']) {
    const response = await page.goto(`/c/${seeded}`);
    if (response?.status() !== 200) continue;
    await look(page, testInfo, `market-component-${seeded}`, page.getByRole('heading', { name: 'Why this rank' }));
  }

  await page.goto(`/developer/${encodeURIComponent(publisher)}`);
  await look(page, testInfo, 'market-developer', page.getByRole('heading', { name: 'How the reputation is made' }));
  await expect(page.getByRole('list', { name: 'Their components' }).getByRole('article')).toHaveCount(3);

  await page.goto('/c/no-such-component-here');
  await expect(page.getByText(/could not be found|not found/i).first()).toBeVisible();
});

test('a developer finds a component with a typo, filters, installs it into an application, calls it, reviews it and sees its rank change', async ({
  page,
  context,
  baseURL,
  request,
}) => {
  test.setTimeout(420_000);
  const base = localBase(baseURL);
  await addAuthenticator(context, page);

  // A passkey wallet with faucet ABT, signed in to the console, with one application (the console's own flow).
  await page.goto(`${base}/wallet`);
  await page.getByRole('button', { name: 'Create with a passkey' }).click();
  await expect(page.getByTestId('abt-balance')).toHaveText(/^0 /);
  await page.getByRole('button', { name: /^Get .* test ABT$/ }).click();
  await expect(page.getByTestId('abt-balance')).toHaveText(/^100 /);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Console' }).click();
  await page.getByRole('button', { name: 'Sign in with your wallet' }).click();
  await consent(page, /Arc Console/);
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Applications' }).click();
  await page.getByLabel('Name').fill('Price board');
  await page.getByRole('button', { name: 'Create application' }).click();
  await consent(page, /Create the application "Price board"/);
  await expect(page.getByRole('heading', { name: 'Price board' })).toBeVisible({ timeout: 30_000 });

  // Home → a search with a typo, by links and the search box only (a full page load would lock the wallet).
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Marketplace' }).click();
  await expect(page.getByRole('heading', { name: 'Top ranked' })).toBeVisible();
  const box = page.getByRole('combobox', { name: 'Search components' });
  await box.fill('oracel');
  await box.press('Enter');
  await expect(page).toHaveURL(/\/search\?q=oracel$/);
  await expect(page.getByRole('list', { name: 'Results' }).getByRole('link', { name: oracle })).toBeVisible();

  // Filter by kind: the URL carries it, the adapter is gone, back returns to the unfiltered search.
  await box.fill(suffix);
  await box.press('Enter');
  await expect(page.getByRole('list', { name: 'Results' }).getByRole('link', { name: adapter })).toBeVisible();
  await page.getByRole('form', { name: 'Filters' }).getByLabel('Kind').selectOption('blocklet');
  await expect(page).toHaveURL(new RegExp(`q=${suffix}&kind=blocklet`));
  await expect(page.getByRole('list', { name: 'Results' }).getByRole('link', { name: adapter })).toHaveCount(0);
  await page.goBack();
  await expect(page.getByRole('list', { name: 'Results' }).getByRole('link', { name: adapter })).toBeVisible();
  await page.goForward();
  await expect(page).toHaveURL(/kind=blocklet/);

  // The component page: not used yet, so no review; its rank before.
  await page.getByRole('list', { name: 'Results' }).getByRole('link', { name: oracle }).click();
  await expect(page.getByRole('heading', { name: oracle, level: 1 })).toBeVisible();
  await expect(page.getByTestId('review-not-allowed')).toContainText('install it into one of your applications', { timeout: 30_000 });
  const usageBefore = await page.getByTestId('rank-part-usage').textContent();
  const ratingBefore = await page.getByTestId('rank-part-rating').textContent();

  // Install into the application: choose it, sign, and the installed blocklet's URL shows.
  await page.getByRole('button', { name: 'Install into an application' }).click();
  const install = page.getByRole('dialog', { name: `Install ${oracle}` });
  await install.getByLabel('Application').selectOption({ label: 'Price board' });
  await install.getByRole('button', { name: 'Sign and install' }).click();
  await consent(page, new RegExp(`Install ${oracle} 1\\.0\\.0`));
  const url = install.getByTestId('installed-url');
  await expect(url).toBeVisible({ timeout: 60_000 });
  const href = (await url.getAttribute('href')) ?? '';
  expect(href).toMatch(/\/b\/[a-z0-9-]+\/$/);

  // Call it, then wait until the node has recorded the use (it flushes usage every ~2 s): the review form opens.
  const answer = await request.get(href);
  expect(answer.status()).toBe(200);
  expect(await answer.json()).toMatchObject({ ok: true, answer: 'price' });
  await page.keyboard.press('Escape');
  await expect(install).toBeHidden();
  await expect(page.getByRole('form', { name: 'Write a review' })).toBeVisible({ timeout: 60_000 });

  // Review it: five stars and a text, signed through the wallet; the list and the rank change.
  const form = page.getByRole('form', { name: 'Write a review' });
  await form.getByRole('radio', { name: /^5 stars/ }).check({ force: true });
  await form.getByLabel('Your review').fill('Installed it into Price board and called it: it answered at once.');
  await form.getByRole('button', { name: 'Sign and post review' }).click();
  await consent(page, new RegExp(`Review of ${oracle}`));
  await expect(page.getByText('Your review is on the ledger')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('review').filter({ hasText: 'it answered at once' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('review').first()).toContainText('Verified use');
  await expect(async () => {
    await page.reload();
    const usage = await page.getByTestId('rank-part-usage').textContent();
    const rating = await page.getByTestId('rank-part-rating').textContent();
    expect(usage !== usageBefore || rating !== ratingBefore).toBe(true);
    expect(rating).not.toBe(ratingBefore);
  }).toPass({ timeout: 60_000 });
});
