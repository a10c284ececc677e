import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { VIEWPORTS } from './screens.ts';

/**
 * Runs axe on the page at desktop and phone width and fails on any serious or critical violation, listing each
 * one's rule, impact and the first elements it names, so the report says what to fix.
 */
export async function expectAccessible(page: Page, ready?: () => Promise<void>): Promise<void> {
  const before = page.viewportSize();
  for (const [label, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    if (ready) await ready();
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    const serious = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${label} ${v.impact} ${v.id}: ${v.help} — ${v.nodes
            .slice(0, 3)
            .map((n) => n.target.join(' '))
            .join(' | ')}`,
      );
    expect(serious, `axe on ${page.url()} (${label})`).toEqual([]);
  }
  if (before) await page.setViewportSize(before);
}
