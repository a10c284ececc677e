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

interface OcapChain {
  name: string;
  capabilities: Record<'tokens' | 'assets' | 'events' | 'reorgs' | 'native', 'native' | 'emulated' | false>;
  info: { chainId: string; nativeSymbol: string } | null;
  status: 'ok' | 'unavailable';
  error: string | null;
}

test('lists the chains the node reaches, with their CAIP-2 ids, capabilities and status, on a desktop and a phone', async ({
  page,
  request,
}) => {
  const chains: OcapChain[] = (await (await request.get('/trpc/ocap.chains')).json()).result.data;
  const byName = new Map(chains.map((chain) => [chain.name, chain]));
  // The node's own ledger and the mock chain, each with a CAIP-2 id (namespace:reference).
  for (const name of ['arc', 'mock']) {
    expect(byName.get(name)?.status).toBe('ok');
    expect(byName.get(name)?.info?.chainId).toMatch(/^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}$/);
  }

  await page.goto('/');
  const panel = page.getByRole('region', { name: 'Connected chains' });
  const rows = await loadedRows(page, 'Connected chains');
  await expect(rows).toHaveCount(chains.length);

  const checkRows = async () => {
    for (const chain of chains) {
      const row = rows.filter({ has: page.getByText(chain.name, { exact: true }) });
      if (chain.info) {
        await expect(row.getByText(chain.info.chainId, { exact: true }).filter({ visible: true })).toHaveCount(1);
      }
      const badges = row.getByRole('list', { name: 'Capabilities' });
      await expect(badges.getByRole('listitem')).toHaveCount(5);
      for (const [feature, capability] of Object.entries(chain.capabilities)) {
        if (feature === 'accounts') continue;
        await expect(badges.locator(`[data-capability="${feature}"]`)).toHaveAttribute('data-provided', capability || 'no');
      }
      const status = row.getByText(chain.status === 'ok' ? 'Available' : 'Unavailable', { exact: true }).filter({ visible: true });
      await expect(status).toBeVisible();
      if (chain.error) await expect(status).toHaveAttribute('title', chain.error);
    }
  };

  await checkRows();
  await expect(panel.getByText('arc:arc-dev', { exact: true }).filter({ visible: true })).toHaveCount(1);
  await expect(panel.getByText('mock:mock', { exact: true }).filter({ visible: true })).toHaveCount(1);
  await panel.screenshot({ path: join(screenshotsDir, 'connected-chains.png') });

  // On a phone the id and the capabilities move under the chain's name; nothing scrolls sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await checkRows();
  const sidewaysPx = await panel.getByRole('table').evaluate((table) => table.scrollWidth - (table.parentElement?.clientWidth ?? 0));
  expect(sidewaysPx).toBeLessThanOrEqual(0);
  await panel.screenshot({ path: join(screenshotsDir, 'connected-chains-mobile.png') });
});
