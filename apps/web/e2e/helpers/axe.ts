import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, type Page, type TestInfo } from '@playwright/test';
import type { AxeResults } from 'axe-core';
import { atEachWidth, shoot } from './screens.ts';

/**
 * axe-core's source, put into a page once per document and run there directly. (@axe-core/playwright injects the
 * whole 550 KB script into every frame on every check and finishes each run in a blank page of its own: 3–15 s a
 * check on a loaded 2-core machine, against 0.2–3 s here, and the suite checks ~90 pages at two widths.)
 */
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The WCAG 2.1 A and AA rules. */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** The serious and critical violations on the page as it is now, one line each: rule, impact, first elements. */
export async function seriousViolations(page: Page, label: string): Promise<string[]> {
  const injected = await page.evaluate(() => typeof (window as { axe?: unknown }).axe === 'object');
  if (!injected) await page.evaluate(axeSource);
  const violations = await page.evaluate(
    (tags) =>
      (window as unknown as { axe: { run: (context: Document, options: object) => Promise<AxeResults> } }).axe
        .run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
        .then((results) => results.violations),
    TAGS,
  );
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${label} ${v.impact} ${v.id}: ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    );
}

/**
 * Runs axe on the page at desktop and phone width and fails on any serious or critical violation, listing each
 * one's rule, impact and the first elements it names, so the report says what to fix.
 */
export async function expectAccessible(page: Page, ready?: () => Promise<void>): Promise<void> {
  await atEachWidth(page, ready, (label) => expectNoSeriousViolations(page, label));
}

async function expectNoSeriousViolations(page: Page, label: string): Promise<void> {
  expect(await seriousViolations(page, label), `axe on ${page.url()} (${label})`).toEqual([]);
}

/**
 * `screens` and `expectAccessible` in one pass: at each width, `ready`, the screenshot `<name>-<width>.png`, then axe
 * on the same rendering (one resize per width instead of two).
 */
export async function screensAndAxe(page: Page, testInfo: TestInfo, name: string, ready?: () => Promise<void>): Promise<void> {
  await atEachWidth(page, ready, async (label) => {
    await shoot(page, testInfo, `${name}-${label}`);
    await expectNoSeriousViolations(page, label);
  });
}
