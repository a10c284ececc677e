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
  await atEachWidth(page, ready, (label) => shoot(page, testInfo, `${name}-${label}`));
}

/** Resizes the page to each of VIEWPORTS, runs `ready` then `look(label)` there, and restores the viewport it found. */
export async function atEachWidth(
  page: Page,
  ready: (() => Promise<void>) | undefined,
  look: (label: keyof typeof VIEWPORTS) => Promise<void>,
): Promise<void> {
  const before = page.viewportSize();
  for (const [label, size] of Object.entries(VIEWPORTS) as [keyof typeof VIEWPORTS, (typeof VIEWPORTS)[keyof typeof VIEWPORTS]][]) {
    await page.setViewportSize(size);
    if (ready) await ready();
    await look(label);
  }
  if (before) await page.setViewportSize(before);
}

/** Saves a full-page screenshot `<name>.png` under the test's output folder and attaches it to the report. */
export async function shoot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/** Pixels the page scrolls sideways (0 when it fits the window). */
export function sidewaysOverflowPx(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** The elements that reach furthest past the window's right edge (tag, classes, right edge in px), widest first. */
export function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const found: { right: number; text: string }[] = [];
    const clipped = (element: Element): boolean => {
      for (let up = element.parentElement; up !== null && up !== document.body; up = up.parentElement) {
        if (getComputedStyle(up).overflowX !== 'visible') return true;
      }
      return false;
    };
    for (const element of Array.from(document.body.querySelectorAll('*'))) {
      const right = element.getBoundingClientRect().right;
      if (right <= width + 1 || clipped(element)) continue;
      found.push({ right, text: `${element.tagName.toLowerCase()}.${String(element.className).slice(0, 80)} right=${Math.round(right)}` });
    }
    return found
      .sort((a, b) => b.right - a.right)
      .slice(0, 5)
      .map((entry) => entry.text);
  });
}

/** The folder README screenshots are copied from (`reports/screenshots`). */
export const readmeShotsDir = join(import.meta.dirname, '..', '..', '..', '..', 'reports', 'screenshots');
