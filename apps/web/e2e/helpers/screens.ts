import { join } from 'node:path';
import type { Page, TestInfo } from '@playwright/test';

/** The two widths every page is looked at: a laptop and a phone. */
export const VIEWPORTS = {
  desktop: { width: 1366, height: 900 },
  phone: { width: 390, height: 844 },
} as const;

/**
 * Saves `<name>-desktop.png` and `<name>-phone.png` of the page under the test's output folder (and attaches them
 * to the report), then restores the viewport it found. `ready` runs after each resize, before the shot: wait there
 * for what must be on screen (loaded rows, not skeletons).
 */
export async function screens(page: Page, testInfo: TestInfo, name: string, ready?: () => Promise<void>): Promise<void> {
  const before = page.viewportSize();
  for (const [label, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    if (ready) await ready();
    const path = testInfo.outputPath(`${name}-${label}.png`);
    await page.screenshot({ path, fullPage: true });
    await testInfo.attach(`${name}-${label}`, { path, contentType: 'image/png' });
  }
  if (before) await page.setViewportSize(before);
}

/** Pixels the page scrolls sideways (0 when it fits the window). */
export function sidewaysOverflowPx(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** The folder README screenshots are copied from (`reports/screenshots`). */
export const readmeShotsDir = join(import.meta.dirname, '..', '..', '..', '..', 'reports', 'screenshots');
