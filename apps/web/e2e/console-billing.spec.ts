import { readFile } from 'node:fs/promises';
import { expect as baseExpect, type Page, test } from '@playwright/test';
import { addAuthenticator, localBase } from './helpers/authenticator.ts';
import { consent, developerWithApplication } from './helpers/console.ts';
import { E2E_ECONOMY } from './helpers/economy.ts';
import { look } from './helpers/look.ts';

/**
 * An application's billing (token economy): a developer creates an application, opens billing with a deposit (the
 * application's key consents from the wallet, the developer pays), sees the billing section, adds funds, has a user's
 * transaction go on the bill, and once the e2e chain's short billing period (E2E_ECONOMY) is settled opens the invoice
 * and downloads its CSV. Pages are opened on localhost: WebAuthn needs a host name as its relying party.
 */

// Block commits and a settlement after the period's end take seconds on a busy machine.
const expect = baseExpect.configure({ timeout: 30_000 });

const BILLING_URL = /\/trpc\/[^?]*economy\.billing/;

/** Answers economy.billing as if the application were behind on a 2.5 ABT bill with nothing left in its deposit. */
async function pretendBehind(page: Page, status: 'grace' | 'suspended'): Promise<void> {
  await page.unroute(BILLING_URL);
  await page.route(BILLING_URL, async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as { result: { data: Record<string, unknown> } }[];
    const names = decodeURIComponent(new URL(route.request().url()).pathname)
      .replace(/^\/trpc\//, '')
      .split(',');
    const data = body[names.indexOf('economy.billing')]?.result.data;
    if (data) {
      const graceEndsAtMs = status === 'grace' ? Date.now() + 3_600_000 : Date.now() - 60_000;
      Object.assign(data, { status, deposit: '0', feesOwed: '0', unpaid: '2500000000000000000', graceEndsAtMs });
    }
    await route.fulfill({ response, json: body });
  });
}

test('a developer opens billing for an application, adds funds, and downloads the invoice of a settled period', async ({
  page,
  context,
  baseURL,
}, testInfo) => {
  test.setTimeout(360_000);
  const base = localBase(baseURL);
  await addAuthenticator(context, page);
  const developer = await developerWithApplication(page, base, 'Billing shop');

  const billing = page.getByRole('region', { name: 'Billing', exact: true });
  await expect(billing.getByText('Not open', { exact: true })).toBeVisible();
  const openForm = page.getByRole('form', { name: 'Open billing for Billing shop' });
  await look(page, testInfo, 'console-billing-closed', openForm);

  // The deposit is checked before anything is signed: a bad amount, then more than the account holds.
  const amount = openForm.getByLabel('Deposit (ABT)');
  await amount.fill('0');
  await openForm.getByRole('button', { name: 'Open billing' }).click();
  await expect(openForm.getByText('an amount of ABT above 0, like 1 or 0.5')).toBeVisible();
  await amount.fill('1000');
  await openForm.getByRole('button', { name: 'Open billing' }).click();
  await expect(billing.locator('[data-error-code="INSUFFICIENT_FUNDS"]')).toContainText(/You have 9\d\.\d+ ABT; a deposit of 1,000 ABT/);
  await amount.fill('5');
  await openForm.getByRole('button', { name: 'Open billing' }).click();
  await consent(page, /Open billing for Billing shop[\s\S]*5 ABT leave your account as Billing shop's deposit[\s\S]*its consent/);
  await expect(billing.getByText('Active', { exact: true })).toBeVisible();
  await expect(page.getByTestId('billing-deposit')).toHaveText('5 ABT');
  await expect(billing.getByRole('group', { name: 'Billing period' })).toContainText(`${E2E_ECONOMY.billingPeriodMs / 1000} seconds`);

  // Add funds: 2 ABT more in the deposit.
  await billing.getByRole('button', { name: 'Add funds' }).click();
  const fundForm = page.getByRole('form', { name: "Add funds to Billing shop's deposit" });
  await fundForm.getByLabel('Amount to add (ABT)').fill('2');
  await look(page, testInfo, 'console-billing-add-funds', fundForm);
  await fundForm.getByRole('button', { name: 'Add to deposit' }).click();
  await consent(page, /Add 2 ABT to Billing shop's deposit/);
  await expect(page.getByTestId('billing-deposit')).toHaveText('7 ABT');

  // Withdraw takes only what is not owed: more is refused before signing.
  await billing.getByRole('button', { name: 'Withdraw' }).click();
  const withdrawForm = page.getByRole('form', { name: "Withdraw from Billing shop's deposit" });
  await expect(withdrawForm.getByLabel('Amount to withdraw (ABT)')).toHaveValue('7');
  await withdrawForm.getByLabel('Amount to withdraw (ABT)').fill('8');
  await withdrawForm.getByRole('button', { name: 'Withdraw' }).click();
  await expect(billing.locator('[data-error-code="DEPOSIT_TOO_LOW"]')).toContainText('Only 7 ABT of the deposit is not owed');
  await withdrawForm.getByRole('button', { name: 'Cancel' }).click();

  // A user's transaction that names the application as fee payer: its fee goes on the bill.
  await page.getByLabel('User DID').fill(developer);
  await page.getByRole('button', { name: 'Grant', exact: true }).click();
  await consent(page, /Pay fees for/);
  await page.getByRole('button', { name: 'Send a test transaction' }).click();
  await consent(page, /the fee is paid by Billing shop/);
  // It is owed until the period ends (within E2E_ECONOMY.billingPeriodMs), and the node settles it a moment later: a
  // period about to end may be settled before the page has shown it owed.
  const invoices = page.getByRole('table', { name: 'Invoices' });
  const paid = invoices.getByRole('row').filter({ hasText: 'Paid' }).first();
  await expect(billing.getByRole('group', { name: 'Owed' }).filter({ hasText: '0.0001 ABT' }).or(paid).first()).toBeVisible();
  await expect(paid).toBeVisible({ timeout: E2E_ECONOMY.billingPeriodMs * 3 });
  await expect(paid).toContainText('0.0001 ABT');
  await expect(billing.getByRole('group', { name: 'Owed' })).toContainText('0 ABT');
  await expect(page.getByTestId('billing-deposit')).toHaveText('6.9999 ABT');
  await look(page, testInfo, 'console-billing', billing);

  await paid.getByRole('button', { name: /^View the invoice of period \d+$/ }).click();
  const invoice = page.getByRole('region', { name: 'Invoice', exact: true });
  await expect(invoice.getByRole('table', { name: /^Invoice lines of period/ })).toContainText('Transaction fees');
  await expect(invoice.getByTestId('invoice-total')).toHaveText('0.0001 ABT');
  await expect(invoice.getByTestId('invoice-charged')).toHaveText('0.0001 ABT');
  await look(page, testInfo, 'console-invoice', invoice);

  const downloading = page.waitForEvent('download');
  await invoice.getByRole('button', { name: 'Download CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^invoice-[1-9A-HJ-NP-Za-km-z]+-\d+\.csv$/);
  const csv = await readFile(await download.path(), 'utf8');
  const lines = csv.split('\r\n');
  expect(lines[0]).toBe('day,kind,payee,quantity,unit,amount_abt,amount_units');
  expect(lines[1]).toMatch(/^\d{4}-\d{2}-\d{2},fees,transaction fees,1,period,0\.0001,100000000000000$/);
  expect(lines[2]).toMatch(/^total,,did:abt:z\w+,,period \d+,0\.0001,100000000000000$/);

  // Behind on the bill: a real grace period needs metered use beyond the deposit, so the node's answer is bent here
  // (the page's own reading of it is what is under test): the banner says what happens, and its Add funds opens the
  // form at what ends it.
  for (const status of ['grace', 'suspended'] as const) {
    await pretendBehind(page, status);
    const banner = page.getByTestId('billing-banner');
    await expect(banner).toContainText(
      status === 'grace' ? /behind on payment: 2\.5 ABT is unpaid[\s\S]*Add at least 2\.5 ABT before/ : /suspended[\s\S]*403 APP_SUSPENDED/,
      {
        timeout: 20_000,
      },
    );
    await expect(billing.getByText(status === 'grace' ? 'Payment due' : 'Suspended', { exact: true })).toBeVisible();
    await look(page, testInfo, `console-billing-${status}`, banner);
  }
  await page.getByTestId('billing-banner').getByRole('button', { name: 'Add funds' }).click();
  await expect(page.getByRole('form', { name: "Add funds to Billing shop's deposit" }).getByLabel('Amount to add (ABT)')).toHaveValue(
    '2.5',
  );
  await page.unroute(BILLING_URL);
  await page.getByRole('form', { name: "Add funds to Billing shop's deposit" }).getByRole('button', { name: 'Cancel' }).click();

  // The settlement in the explorer, in words; then the supply on the explorer's home, the deposit in it.
  await invoice.getByRole('link', { name: /^[0-9a-f]{8}…[0-9a-f]{6}$/ }).click();
  await expect(page.getByTestId('tx-summary')).toHaveText(/^Settled period \d+ for 1 application: 0\.0001 ABT charged$/);
  await look(page, testInfo, 'explorer-settle-tx', page.getByTestId('tx-summary'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Explorer' }).click();
  const supply = page.getByRole('region', { name: 'Supply', exact: true });
  await expect(supply.getByRole('listitem').filter({ hasText: 'Application deposits' })).toContainText(/[1-9][\d.]*…? ABT/);
  await expect(supply.getByRole('img')).toHaveAttribute('aria-label', /Circulating [\d.<% ]+, Staked/);
  await look(page, testInfo, 'explorer-supply', supply);
});
