import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';

const screenshotsDir = join(import.meta.dirname, '..', '..', '..', 'reports', 'screenshots');

/** Waits until a "latest" table shows rows from the node (not loading skeletons) and returns them. */
async function loadedRows(page: Page, table: string) {
  const element = page.getByRole('table', { name: table });
  await expect(element).toHaveAttribute('aria-busy', 'false');
  const rows = element.locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  return rows;
}

async function shownHeight(page: Page): Promise<number> {
  const text = await page.getByTestId('height').textContent();
  return Number((text ?? '').replaceAll(',', ''));
}

test('shows the head of the chain, its latest blocks and transactions, and keeps them fresh', async ({ page, request }) => {
  await page.goto('/');

  // The browser reaches the node through the web server's /trpc, and shows what the node says.
  const info = await (await request.get('/trpc/chain.info')).json();
  const chainId: string = info.result.data.chainId;
  await expect(page.getByRole('banner')).toContainText('Arc');
  await expect(page.getByTestId('chain-id')).toHaveText(chainId);
  await expect(page.getByRole('status')).toHaveText('Live');

  await expect.poll(() => shownHeight(page)).toBeGreaterThanOrEqual(1);
  await expect(page.getByRole('group', { name: 'Total supply' })).toContainText(/[\d,]+(\.\d+)? ABT/);
  await expect(page.getByRole('group', { name: 'Head hash' })).toContainText(/[0-9a-f]{8}…[0-9a-f]{6}/);

  const blocks = await loadedRows(page, 'Latest blocks');
  expect(await blocks.count()).toBeGreaterThanOrEqual(1);
  await expect(blocks.first()).toContainText(/ago|just now/);

  // The seeded demo makes transfers.
  const txs = await loadedRows(page, 'Latest transactions');
  expect(await txs.count()).toBeGreaterThanOrEqual(1);
  await expect(page.getByRole('table', { name: 'Latest transactions' })).toContainText('Transfer');
  await expect(page.getByRole('table', { name: 'Latest transactions' })).toContainText('ABT');

  // Refreshed every 2 s without a reload.
  const updatedAt = page.getByTestId('updated-at');
  const firstUpdate = await updatedAt.textContent();
  await expect(updatedAt).not.toHaveText(firstUpdate ?? '', { timeout: 10_000 });

  await page.screenshot({ path: join(screenshotsDir, 'explorer.png'), fullPage: true });
});

test('fits a phone screen without sideways scrolling', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  await loadedRows(page, 'Latest blocks');
  await loadedRows(page, 'Latest transactions');
  await expect.poll(() => shownHeight(page)).toBeGreaterThanOrEqual(1);

  const overflowPx = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflowPx).toBeLessThanOrEqual(0);

  await page.screenshot({ path: join(screenshotsDir, 'explorer-mobile.png'), fullPage: true });
});

test('says the node cannot be reached, and how to fix it, when no node answers', { tag: '@node-down' }, async ({ page }) => {
  await page.goto('/');
  // (Next keeps an empty `alert` of its own for route announcements.)
  const alert = page.getByRole('alert').filter({ hasText: 'Cannot reach the node' });
  await expect(alert).toContainText(/Cannot reach the node at http:\/\/127\.0\.0\.1:\d+, is it running\?/);
  await expect(alert.getByRole('button', { name: 'Retry now' })).toBeVisible();
  await expect(page.getByRole('status')).toHaveText('Node unreachable');

  await page.screenshot({ path: join(screenshotsDir, 'explorer-node-down.png'), fullPage: true });
});
