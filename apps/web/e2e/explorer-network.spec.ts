import { expect, type Page, test } from '@playwright/test';
import { look } from './helpers/look.ts';

/** The height the process row shows (the number behind its block link). */
async function shownProcessHeight(page: Page, name: string): Promise<number> {
  const row = page.getByRole('table', { name: 'Processes' }).locator('tbody tr').filter({ hasText: name });
  return Number(await row.getByTestId('process-height').getAttribute('data-value'));
}

/** Marks the document, so a test can tell that what it saw came without a reload. */
async function markDocument(page: Page) {
  await page.evaluate(() => {
    (window as unknown as { __networkMark: boolean }).__networkMark = true;
  });
}
async function expectSameDocument(page: Page) {
  expect(await page.evaluate(() => (window as unknown as { __networkMark?: boolean }).__networkMark)).toBe(true);
}

test('the network page shows the node as one process, producing and alive, and its height grows without a reload', async ({
  page,
}, testInfo) => {
  // Screenshots and axe at two widths: more than the default minute on a busy machine.
  test.slow();
  await page.goto('/explorer/network');
  await expect(page.getByRole('heading', { level: 1, name: 'Network' })).toBeVisible();

  // The e2e node is a node of one process: the table holds it alone, making every block.
  const rows = page.getByRole('table', { name: 'Processes' }).locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.getByTestId('process-name')).toHaveText('node');
  await expect(rows).toContainText('producing');
  await expect(rows.getByTestId('process-status')).toHaveText('alive');
  await expect(page.getByRole('group', { name: 'Processes' })).toContainText('1 / 1');
  await expect(page.getByRole('group', { name: 'Producer' }).getByTestId('producer')).toHaveText('node');
  await expect(page.getByRole('group', { name: 'Answered by' })).toContainText('node');
  await expect(page.getByText('This node runs as one process')).toBeVisible();
  await expect(page.getByRole('table', { name: 'Producer take-overs' })).toHaveCount(0);

  // Refreshed in place: the height the process has reached grows with the chain.
  await markDocument(page);
  const before = await shownProcessHeight(page, 'node');
  await expect.poll(() => shownProcessHeight(page, 'node'), { timeout: 10_000 }).toBeGreaterThan(before);
  await expectSameDocument(page);

  await look(page, testInfo, 'explorer-network', rows.first());
});

test('the explorer home links to the network page', async ({ page }) => {
  await page.goto('/explorer');
  await page.getByRole('link', { name: 'network', exact: true }).click();
  await expect(page).toHaveURL(/\/explorer\/network$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Network' })).toBeVisible();
});

test('says the node cannot be reached, and how to fix it, when no node answers', { tag: '@node-down' }, async ({ page }) => {
  await page.goto('/explorer/network');
  await expect(page.getByRole('heading', { level: 1, name: 'Network' })).toBeVisible();
  // (Next keeps an empty `alert` of its own for route announcements.)
  const alert = page.getByRole('alert').filter({ hasText: 'Cannot reach the node' });
  await expect(alert).toContainText(/Cannot reach the node at http:\/\/127\.0\.0\.1:\d+, is it running\?/);
  await expect(alert.getByRole('button', { name: 'Retry now' })).toBeVisible();
});
