import { expect, type Page, test } from '@playwright/test';
import { expectAccessible } from './helpers/axe.ts';
import { screens, sidewaysOverflowPx } from './helpers/screens.ts';
import { TcpRelay } from './helpers/tcp-relay.ts';

/** The header's node status says the page hears the node over realtime. */
async function expectLive(page: Page) {
  // A connect may take one retry (the client gives a handshake 10 s) on a loaded machine.
  await expect(page.getByTestId('node-status')).toHaveAttribute('data-status', 'live', { timeout: 30_000 });
}

async function shownHeight(page: Page): Promise<number> {
  return Number(((await page.getByTestId('head-height').textContent()) ?? '').replace(/[#,]/g, ''));
}

/** The marketplace home's top-ranked section shows cards or its empty state, and nothing scrolls sideways. */
async function catalogueReady(page: Page) {
  const catalogue = page.getByRole('region', { name: 'Top ranked' });
  await expect(catalogue.getByRole('article').first().or(catalogue.getByText('Nothing is published here yet'))).toBeVisible();
  expect(await sidewaysOverflowPx(page)).toBe(0);
}

test('the home page is the marketplace: search and the top-ranked components, live, at both widths', async ({ page }, testInfo) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Marketplace');
  await expectLive(page);
  await catalogueReady(page);
  await expect(page.getByRole('link', { name: 'Create wallet' }).or(page.getByTestId('account-menu'))).toBeVisible();
  // Realtime: the head height in the header moves without a reload.
  await expect.poll(() => shownHeight(page)).toBeGreaterThan(0);
  const before = await shownHeight(page);
  await expect.poll(() => shownHeight(page), { timeout: 10_000 }).toBeGreaterThan(before);
  await screens(page, testInfo, 'home', () => catalogueReady(page));
});

test('the home page has no serious accessibility problem at either width', async ({ page }) => {
  await page.goto('/');
  await catalogueReady(page);
  await expectAccessible(page, () => catalogueReady(page));
});

test('the navigation marks the current area and goes to each on desktop', async ({ page }) => {
  // Each area's first page renders on the server against the node: room for a loaded machine.
  test.slow();
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.goto('/');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Marketplace' })).toHaveAttribute('aria-current', 'page');
  await nav.getByRole('link', { name: 'Explorer' }).click();
  await expect(page).toHaveURL(/\/explorer$/, { timeout: 30_000 });
  await expect(nav.getByRole('link', { name: 'Explorer' })).toHaveAttribute('aria-current', 'page');
  await expect(nav.getByRole('link', { name: 'Marketplace' })).not.toHaveAttribute('aria-current', 'page');
  await nav.getByRole('link', { name: 'Wallet' }).click();
  await expect(page).toHaveURL(/\/wallet$/, { timeout: 30_000 });
  await expect(nav.getByRole('link', { name: 'Wallet' })).toHaveAttribute('aria-current', 'page');

  // The search box goes to the explorer's search with what was typed.
  // The search box goes to the explorer's search with what was typed (nothing matches: no suggestion is taken).
  await page.getByRole('combobox', { name: 'Search the chain' }).fill('no-such-thing');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/explorer\/search\?q=no-such-thing$/, { timeout: 30_000 });
});

test('on a phone the menu button opens the areas and the search box, and a link closes it', async ({ page }, testInfo) => {
  test.slow();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
  const menu = page.getByRole('button', { name: 'Open menu' });
  await menu.click();
  await expect(page.getByRole('button', { name: 'Close menu' })).toHaveAttribute('aria-expanded', 'true');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Marketplace' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('combobox', { name: 'Search the chain' })).toBeVisible();
  // Kept with the run's output, to be looked at: the open menu on a phone.
  await page.screenshot({ path: testInfo.outputPath('phone-menu-open.png') });
  await nav.getByRole('link', { name: 'Console' }).click();
  await expect(page).toHaveURL(/\/console$/, { timeout: 30_000 });
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
  await page.getByRole('button', { name: 'Open menu' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Console' })).toHaveAttribute(
    'aria-current',
    'page',
  );
  await page.keyboard.press('Escape');
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
  expect(await sidewaysOverflowPx(page)).toBe(0);
});

test.describe('with the system in dark mode', () => {
  test.use({ colorScheme: 'dark' });

  test('the page is dark from the first paint and follows the system when it changes', async ({ page }, testInfo) => {
    await page.goto('/');
    // Set by the inline script before the body paints, so server HTML and first frame agree.
    await expect(page.locator('html')).toHaveClass(/\bdark\b/);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).not.toBe('rgb(248, 250, 252)'); // not the light theme's slate-50
    await expectLive(page);
    await screens(page, testInfo, 'home-dark', () => catalogueReady(page));
    await page.emulateMedia({ colorScheme: 'light' });
    await expect(page.locator('html')).not.toHaveClass(/\bdark\b/);
  });
});

test('the node going away shows a banner, and the page recovers without a reload when it is back @node-down', async ({ page }) => {
  // Real reconnects with the client's backoff (up to 5 s between tries): give the journey room on a loaded machine.
  test.slow();
  // This project's web server points at a port where no node listens: a relay there makes the node "come and go".
  const relay = new TcpRelay(Number(process.env.ARC_E2E_DEAD_NODE_PORT), {
    host: '127.0.0.1',
    port: Number(process.env.ARC_E2E_NODE_PORT),
  });
  await relay.start();
  try {
    await page.goto('/');
    await expectLive(page);
    await expect.poll(() => shownHeight(page)).toBeGreaterThan(0);
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const banner = page.getByTestId('connection-banner');
    await expect(banner).toBeHidden();

    await relay.stop();
    await expect(banner).toBeVisible();
    await expect(banner).toContainText('Lost the connection to the node');
    await expect(page.getByTestId('node-status')).toHaveAttribute('data-status', 'offline');
    const heightWhileDown = await shownHeight(page);

    await relay.start();
    await expect(banner).toBeHidden({ timeout: 20_000 });
    await expectLive(page);
    // Blocks arrive again on the same page: the data caught up without a reload.
    await expect.poll(() => shownHeight(page), { timeout: 15_000 }).toBeGreaterThan(heightWhileDown);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await expect(page.getByRole('region', { name: 'Blocklets on this chain' }).getByRole('alert')).toHaveCount(0);
  } finally {
    await relay.stop();
  }
});
