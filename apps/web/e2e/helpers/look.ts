import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';
import { screensAndAxe } from './axe.ts';
import { overflowingElements, sidewaysOverflowPx } from './screens.ts';

/**
 * Looks at a page as a person would, at laptop and phone width: once `loaded` shows and nothing is loading
 * (no `aria-busy`), it fits the window without sideways scrolling (unless `fitsPhone` is false: a page that
 * scrolls a wide table on purpose), is screenshot (`<name>-desktop.png`, `<name>-phone.png`) and has no serious
 * accessibility problem.
 */
export async function look(
  page: Page,
  testInfo: TestInfo,
  name: string,
  loaded: Locator,
  { fitsPhone = true }: { fitsPhone?: boolean } = {},
): Promise<void> {
  const ready = async () => {
    await expect(loaded).toBeVisible();
    await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
    if (fitsPhone) expect(await sidewaysOverflowPx(page), (await overflowingElements(page)).join('\n')).toBe(0);
  };
  await screensAndAxe(page, testInfo, name, ready);
}
