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

/**
 * What a cloud node of three processes answers after its first producer died: p2 took the lease over, p1 is gone.
 * The e2e node is one process (a cloud node needs PostgreSQL and Redis), so the browser's `chain.processes` answers
 * are replaced by this one, to see the page as a cloud node's operator does.
 */
function cloudAnswer(nowMs: number) {
  const process = (name: string, host: string, pid: number, height: number, agoMs: number) => ({
    name,
    url: `http://127.0.0.1:${8080 + pid - 4000}`,
    host,
    pid,
    startedAtMs: nowMs - 3 * 3_600_000,
    seenAtMs: nowMs - agoMs,
    height,
    producing: name === 'p2',
    alive: agoMs < 5_000,
  });
  return {
    cloud: true,
    self: 'p3',
    processes: [
      process('p1', 'ip-10-0-0-11.eu-west-1.compute.internal', 4001, 1_204, 95_000),
      process('p2', 'ip-10-0-0-12.eu-west-1.compute.internal', 4002, 1_297, 400),
      process('p3', 'ip-10-0-0-13.eu-west-1.compute.internal', 4003, 1_296, 900),
    ],
    producer: { name: 'p2', epoch: 2, sinceMs: nowMs - 92_000, expiresAtMs: nowMs + 2_500 },
    failovers: [
      { epoch: 2, name: 'p2', previous: 'p1', height: 1_205, atMs: nowMs - 92_000 },
      { epoch: 1, name: 'p1', previous: null, height: 0, atMs: nowMs - 3 * 3_600_000 },
    ],
  };
}

/** Answers the browser's `chain.processes` calls (alone or in a batch) with `answer`, the rest from the node. */
async function answerProcessesWith(page: Page, answer: () => unknown) {
  await page.route(/\/trpc\/[^?]*chain\.processes/, async (route) => {
    const response = await route.fetch();
    const names = decodeURIComponent(new URL(route.request().url()).pathname.replace(/^\/trpc\//, '')).split(',');
    const results = (await response.json()) as unknown[];
    const replaced = results.map((result, index) => (names[index] === 'chain.processes' ? { result: { data: answer() } } : result));
    await route.fulfill({ response, json: replaced });
  });
}

test('a cloud node lists every process, marks the producer and the gone one, and lists the take-overs', async ({ page }, testInfo) => {
  test.slow();
  await answerProcessesWith(page, () => cloudAnswer(Date.now()));
  await page.goto('/explorer/network');
  const rows = page.getByRole('table', { name: 'Processes' }).locator('tbody tr');
  await expect(rows).toHaveCount(3);
  await expect(rows.filter({ hasText: 'p1' }).getByTestId('process-status')).toHaveText('gone');
  await expect(rows.filter({ hasText: 'p2' })).toContainText('producing');
  await expect(rows.filter({ hasText: 'p3' }).getByTestId('process-status')).toHaveText('alive');
  await expect(page.getByRole('group', { name: 'Processes' })).toContainText('2 / 3');
  await expect(page.getByRole('group', { name: 'Producer' })).toContainText(/p2\s*lease epoch 2/);
  await expect(page.getByRole('group', { name: 'Answered by' })).toContainText('p3');

  const takeovers = page.getByRole('table', { name: 'Producer take-overs' }).locator('tbody tr');
  await expect(takeovers).toHaveCount(2);
  await expect(takeovers.nth(0).getByRole('cell')).toHaveText(['2', /^p2/, 'p1', '1,205', /ago$/]);
  await expect(takeovers.nth(1).getByRole('cell')).toHaveText(['1', /^p1/, '—', '0', /ago$/]);

  // On a phone both tables fit their card: what has no room for a column of its own goes under the name.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const table of ['Processes', 'Producer take-overs']) {
    const sidewaysPx = await page
      .getByRole('table', { name: table })
      .evaluate((element) => element.scrollWidth - (element.parentElement?.clientWidth ?? 0));
    expect(sidewaysPx, table).toBeLessThanOrEqual(0);
  }

  await look(page, testInfo, 'explorer-network-cloud', takeovers.first());
});

test('says the node cannot be reached, and how to fix it, when no node answers', { tag: '@node-down' }, async ({ page }) => {
  await page.goto('/explorer/network');
  await expect(page.getByRole('heading', { level: 1, name: 'Network' })).toBeVisible();
  // (Next keeps an empty `alert` of its own for route announcements.)
  const alert = page.getByRole('alert').filter({ hasText: 'Cannot reach the node' });
  await expect(alert).toContainText(/Cannot reach the node at http:\/\/127\.0\.0\.1:\d+, is it running\?/);
  await expect(alert.getByRole('button', { name: 'Retry now' })).toBeVisible();
});
