import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page, type TestInfo, test } from '@playwright/test';
import { addAuthenticator, localBase } from './helpers/authenticator.ts';
import { consent } from './helpers/console.ts';
import { look } from './helpers/look.ts';

/**
 * The console's blocklets (issue 18, e2e test 2 and the console parts of test 3): a developer with a passkey wallet
 * signs in, creates a blocklet from the oracle template, edits it in the browser (a manifest error is shown at its
 * line), deploys it, calls its route, watches its log lines arrive live, deploys a second version as a 10% canary,
 * promotes it, rolls back, and sees the calls in the charts; an oversize folder is refused naming the limit.
 * Pages are opened on localhost (WebAuthn needs a host name) and moved through by links (a reload locks the wallet).
 */

/** Replaces the text of the open editor, as a person selecting all and pasting would. */
async function replaceEditorText(page: Page, text: string): Promise<void> {
  const editor = page.getByTestId('code-editor').locator('.cm-content');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(text);
}

/** The oracle, edited: its route answers a fixed price and logs each request. */
const editedOracle = `import type { BlockletHandlers } from './types';

export default {
  cron: (_event, ctx) => ctx.log.info('tick'),
  call: (_input: unknown, ctx) => ctx.kv.get('price'),
  async fetch(request, ctx) {
    ctx.log.info('price asked at', request.path);
    return { body: { price: 1.25 } };
  },
} satisfies BlockletHandlers;
`;

async function openTab(page: Page, name: string): Promise<void> {
  await page.getByRole('tab', { name }).click();
  await expect(page.getByRole('tab', { name })).toHaveAttribute('aria-selected', 'true');
}

test('a developer creates a blocklet from the oracle template, edits, deploys, calls it, tails its logs and deploys a 10% canary', async ({
  page,
  context,
  baseURL,
}, testInfo) => {
  test.setTimeout(300_000);
  const base = localBase(baseURL);
  await addAuthenticator(context, page);

  // A wallet with ABT for the deploy fees, signed in to the console.
  await page.goto(`${base}/wallet`);
  await page.getByRole('button', { name: 'Create with a passkey' }).click();
  await expect(page.getByTestId('abt-balance')).toHaveText(/^0 /);
  await page.getByRole('button', { name: /^Get .* test ABT$/ }).click();
  await expect(page.getByTestId('abt-balance')).toHaveText(/^100 /);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Console' }).click();
  await page.getByRole('button', { name: 'Sign in with your wallet' }).click();
  await consent(page, /Arc Console/);
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Blocklets' }).click();
  await look(page, testInfo, 'blocklets-empty', page.getByText('No blocklets yet'));

  // An oversize project folder is refused at once, naming the file and the limit.
  await page.getByRole('link', { name: 'Create your first blocklet' }).click();
  const folder = testInfo.outputPath('too-big');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'blocklet.yml'), 'name: too-big\n');
  writeFileSync(join(folder, 'big.js'), `// ${'x'.repeat(600 * 1024)}\n`);
  await page.getByLabel('Project folder').setInputFiles(folder);
  await expect(page.getByText(/big\.js is 600\.0 KB; a source file is at most 512\.0 KB/)).toBeVisible();
  await look(page, testInfo, 'blocklet-new', page.getByRole('heading', { name: 'Create a blocklet' }));

  // From the oracle template.
  await page.getByRole('radio', { name: /Price oracle/ }).check();
  await page.getByLabel('Name').fill('Bad Name');
  await page.getByRole('button', { name: 'Create and edit' }).click();
  await expect(page.getByText('A name is 2–64 lower-case letters')).toBeVisible();
  await page.getByLabel('Name').fill('price-feed');
  await page.getByRole('button', { name: 'Create and edit' }).click();
  await expect(page.getByRole('heading', { name: 'price-feed' })).toBeVisible();

  // The manifest is checked as it is typed: a bad version is shown at its line, in the list and in the editor.
  await page.getByRole('button', { name: 'blocklet.yml' }).click();
  // The template's text, as the page saved it in this browser's draft.
  const manifest = await page.evaluate(
    () =>
      (JSON.parse(localStorage.getItem('arc:blocklet-draft:price-feed') ?? '{}') as { files: Record<string, string> }).files[
        'blocklet.yml'
      ] ?? '',
  );
  expect(manifest).toContain('version: 1.0.0');
  await replaceEditorText(page, manifest.replace('version: 1.0.0', 'version: one'));
  await expect(page.getByTestId('manifest-problem')).toHaveText('Line 2: version: a version is semver, e.g. 1.0.0');
  await expect(page.locator('.cm-lintRange-error').first()).toBeVisible();
  await look(page, testInfo, 'blocklet-code-manifest-error', page.getByTestId('manifest-problem'));
  await replaceEditorText(page, manifest);
  await expect(page.getByText('The manifest is valid.')).toBeVisible();

  // The code, edited in the browser.
  await page.getByRole('button', { name: 'index.ts' }).click();
  await replaceEditorText(page, editedOracle);
  await expect(page.getByTestId('code-editor')).toContainText("ctx.log.info('price asked at', request.path);");
  await look(page, testInfo, 'blocklet-code', page.getByTestId('code-editor'));

  // Deploy: upload, consent in the wallet, committed.
  await openTab(page, 'Deploy');
  await page.getByRole('radio', { name: /^Live/ }).check();
  await page.getByRole('button', { name: 'Deploy 1.0.0' }).click();
  await consent(page, /Deploy price-feed 1\.0\.0[\s\S]*deployBlocklet/);
  await expect(page.getByRole('list', { name: 'Deploy progress' }).locator('li[data-state="done"]')).toHaveCount(4, { timeout: 30_000 });
  await expect(page.getByText('live 1.0.0')).toBeVisible();
  await look(page, testInfo, 'blocklet-deploy', page.getByText('Committed, warm and routed'));

  // The log tail is live before the call (the template's cron may already have logged a tick).
  await openTab(page, 'Logs');
  await expect(page.getByRole('log', { name: 'Log lines' })).toBeVisible();
  await expect(page.getByRole('tabpanel', { name: 'Logs' }).getByRole('status')).toHaveText('● Live');
  await openTab(page, 'Call');
  await expect(page.getByLabel('Path')).toHaveValue('/price');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByTestId('call-response')).toContainText('200');
  await expect(page.getByTestId('call-response')).toContainText('"price": 1.25');
  await look(page, testInfo, 'blocklet-call', page.getByTestId('call-response'));
  // The line logged while the Call tab was shown is there when Logs opens again.
  await openTab(page, 'Logs');
  const asked = page.getByTestId('log-line').filter({ hasText: 'price asked at /price' });
  await expect(asked.first()).toBeVisible();
  await look(page, testInfo, 'blocklet-logs', asked.first());

  // A second version as a 10% canary, promoted, then rolled back.
  await openTab(page, 'Deploy');
  await page.getByRole('button', { name: 'Raise to 1.0.1' }).click();
  await expect(page.getByRole('radio', { name: /^Canary/ })).toBeChecked();
  await page.getByLabel('Canary share (%)').fill('10');
  await page.getByRole('button', { name: 'Deploy 1.0.1' }).click();
  await consent(page, /Deploy price-feed 1\.0\.1[\s\S]*canary, 10% of calls/);
  await expect(page.getByText('canary 1.0.1 · 10%')).toBeVisible({ timeout: 30_000 });
  await openTab(page, 'Aliases');
  await expect(page.getByTestId('canary-version')).toHaveText('1.0.1');
  await look(page, testInfo, 'blocklet-aliases', page.getByTestId('canary-version'));
  await promoteRollBackAndCharts(page, testInfo);
});

/** The journey's second half: promote the canary, roll back, then the charts, environment and usage tabs. */
async function promoteRollBackAndCharts(page: Page, testInfo: TestInfo): Promise<void> {
  await page.getByRole('button', { name: 'Promote to live' }).click();
  await expect(page.getByTestId('live-version')).toHaveText('1.0.1');
  await page.getByRole('button', { name: 'Roll back to 1.0.0' }).click();
  await expect(page.getByTestId('live-version')).toHaveText('1.0.0');
  await openTab(page, 'Versions');
  await look(page, testInfo, 'blocklet-versions', page.getByRole('table', { name: 'Versions' }));

  // The charts show the call.
  await openTab(page, 'Metrics');
  await expect(page.getByTestId('metrics-summary')).toHaveText(/^[1-9]\d* invocations? /, { timeout: 20_000 });
  await look(page, testInfo, 'blocklet-metrics', page.locator('.uplot').first());

  await openTab(page, 'Environment');
  await page.getByLabel('Name', { exact: true }).fill('PRICE_URL');
  await page.getByLabel('Value').fill('https://api.coingecko.com/x');
  await page.getByRole('checkbox', { name: 'Secret' }).check();
  await page.getByRole('button', { name: 'Save' }).click();
  const saved = page.getByRole('cell', { name: 'PRICE_URL', exact: true });
  await expect(saved).toBeVisible();
  await expect(page.getByText('https://api.coingecko.com/x')).toHaveCount(0);
  await look(page, testInfo, 'blocklet-environment', saved);

  await openTab(page, 'Usage');
  await look(page, testInfo, 'blocklet-usage', page.getByRole('table', { name: 'Usage by hour' }));

  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Blocklets' }).click();
  await expect(page.getByRole('link', { name: 'price-feed' })).toBeVisible();
  await look(page, testInfo, 'blocklets', page.getByRole('link', { name: 'price-feed' }));
}
