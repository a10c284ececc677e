import { Wallet } from '@arc/client';
import { expect as baseExpect, type Page, test } from '@playwright/test';
import { localBase } from './helpers/authenticator.ts';

/**
 * The send form asks the node for the account's next nonce while the form is on screen, so Sign only signs and
 * sends. A second tab of the same wallet that sends meanwhile takes that nonce: the first tab's send must still go
 * through (the node refuses the stale nonce, the form asks again), not fail with NONCE_TOO_LOW.
 */

const PASSPHRASE = 'two tabs one wallet';

// scrypt (N = 2^17) and block commits take seconds on a busy machine.
const expect = baseExpect.configure({ timeout: 45_000 });
test.describe.configure({ timeout: 180_000 });

const status = (page: Page) => page.getByTestId('tx-status');

async function send(page: Page, amount: string): Promise<void> {
  await page.getByLabel(/^Amount/).fill(amount);
  await page.getByRole('button', { name: 'Review and send' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Sign' }).click();
}

test('two tabs of one wallet: a send from the form that stood open while the other tab sent still commits', async ({
  page,
  context,
  baseURL,
}) => {
  const base = localBase(baseURL);
  await page.goto(`${base}/wallet`);
  await page.getByLabel('New passphrase').fill(PASSPHRASE);
  await page.getByLabel('Type it again').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Create with passphrase' }).click();
  await page.getByRole('button', { name: /^Get .* test ABT$/ }).click();
  await expect(page.getByTestId('abt-balance')).toHaveText(/^100 /);

  // The first tab opens the send form (it asks for the nonce now) and stays there.
  await page.getByRole('navigation', { name: 'Wallet' }).getByRole('link', { name: 'Send', exact: true }).click();
  await expect(page).toHaveURL(/\/wallet\/send$/);
  await page.getByLabel('To', { exact: true }).fill(Wallet.generate().did);

  // The second tab unlocks the same wallet and sends first: it takes that nonce.
  const other = await context.newPage();
  await other.goto(`${base}/wallet/send`);
  const unlock = other.getByRole('region', { name: 'Your wallet is locked' });
  await unlock.getByLabel('Passphrase').fill(PASSPHRASE);
  await unlock.getByRole('button', { name: 'Unlock with passphrase' }).click();
  await other.getByLabel('To', { exact: true }).fill(Wallet.generate().did);
  await send(other, '1');
  await expect(status(other)).toHaveText('Committed');

  await send(page, '2');
  await expect(status(page)).toHaveText('Committed');
  await expect(page.getByRole('region', { name: 'Sent transaction' })).not.toContainText('NONCE_TOO_LOW');
});
