import { expect as baseExpect, type Page, test } from '@playwright/test';
import { addAuthenticator, localBase } from './helpers/authenticator.ts';
import { consent } from './helpers/console.ts';
import { E2E_ECONOMY } from './helpers/economy.ts';
import { look } from './helpers/look.ts';

/**
 * Staking in the wallet (token economy): stake from the balance, unstake part of it and see it unbond with a countdown,
 * withdraw it once the e2e chain's short unbonding delay (E2E_ECONOMY) has passed, and read it all in the history.
 * Mistakes are said before anything is signed, in the ledger's words (INSUFFICIENT_FUNDS, INSUFFICIENT_STAKE,
 * NOTHING_TO_WITHDRAW). Pages are opened on localhost: WebAuthn needs a host name as its relying party.
 */

const expect = baseExpect.configure({ timeout: 30_000 });

/** Moves between wallet pages inside the app: a page load would lock the wallet (its key lives in memory only). */
async function tab(page: Page, name: 'Overview' | 'Stake') {
  const link = page.getByRole('navigation', { name: 'Wallet' }).getByRole('link', { name, exact: true });
  await link.click();
  await expect(link).toHaveAttribute('aria-current', 'page');
}

test('a wallet stakes ABT, unstakes part of it, sees it unbond with a countdown, withdraws it, and reads it in its history', async ({
  page,
  context,
  baseURL,
}, testInfo) => {
  test.setTimeout(300_000);
  const base = localBase(baseURL);
  await addAuthenticator(context, page);
  await page.goto(`${base}/wallet`);
  await page.getByRole('button', { name: 'Create with a passkey' }).click();
  await expect(page.getByTestId('abt-balance')).toHaveText(/^0 /);
  await page.getByRole('button', { name: /^Get .* test ABT$/ }).click();
  await expect(page.getByTestId('abt-balance')).toHaveText(/^100 /);

  await tab(page, 'Stake');
  await expect(page.getByTestId('stake-bonded')).toHaveText('0 ABT');
  await expect(page.getByText('Nothing is unbonding')).toBeVisible();
  await look(page, testInfo, 'wallet-stake-empty', page.getByRole('form', { name: 'Stake', exact: true }));

  const stakeForm = page.getByRole('form', { name: 'Stake', exact: true });
  const unstakeForm = page.getByRole('form', { name: 'Unstake', exact: true });
  await stakeForm.getByLabel('Amount (ABT)').fill('abc');
  await stakeForm.getByRole('button', { name: 'Stake' }).click();
  await expect(stakeForm.getByText(/Type a number like 1\.5/)).toBeVisible();
  await stakeForm.getByLabel('Amount (ABT)').fill('1000');
  await stakeForm.getByRole('button', { name: 'Stake' }).click();
  await expect(stakeForm.locator('[data-error-code="INSUFFICIENT_FUNDS"]')).toContainText('You have 100 ABT; staking 1,000 ABT');
  await stakeForm.getByLabel('Amount (ABT)').fill('10');
  await stakeForm.getByRole('button', { name: 'Stake' }).click();
  await consent(page, /Stake 10 ABT[\s\S]*leave your balance and are bonded/);
  await expect(page.getByTestId('stake-bonded')).toHaveText('10 ABT');

  await unstakeForm.getByLabel('Amount (ABT)').fill('50');
  await unstakeForm.getByRole('button', { name: 'Unstake' }).click();
  await expect(unstakeForm.locator('[data-error-code="INSUFFICIENT_STAKE"]')).toContainText('You have 10 ABT bonded');
  await unstakeForm.getByLabel('Amount (ABT)').fill('4');
  await unstakeForm.getByRole('button', { name: 'Unstake' }).click();
  await consent(page, new RegExp(`Unstake 4 ABT[\\s\\S]*unbond for ${E2E_ECONOMY.unbondingMs / 1000} seconds`));
  await expect(page.getByTestId('stake-bonded')).toHaveText('6 ABT');
  await expect(page.getByTestId('stake-unbonding')).toHaveText('4 ABT');
  const entry = page.getByRole('list', { name: 'Unbonding' }).getByRole('listitem');
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText('4 ABT');
  await expect(page.getByTestId('unbonding-countdown')).toHaveText(/^in \d+ s$/);

  // Nothing has finished unbonding yet: withdrawing is refused before anything is signed.
  const unbonding = page.getByRole('region', { name: 'Unbonding', exact: true });
  await unbonding.getByRole('button', { name: 'Withdraw' }).click();
  await expect(unbonding.locator('[data-error-code="NOTHING_TO_WITHDRAW"]')).toBeVisible();
  await look(page, testInfo, 'wallet-stake', entry);

  // Free after the unbonding delay: the entry says Ready and the button names the amount.
  await expect(entry.getByText('Ready')).toBeVisible({ timeout: E2E_ECONOMY.unbondingMs * 2 });
  await expect(page.getByTestId('stake-withdrawable')).toHaveText('4 ABT');
  await unbonding.getByRole('button', { name: 'Withdraw 4 ABT' }).click();
  await consent(page, /Withdraw 4 ABT of stake[\s\S]*come back to your balance/);
  await expect(page.getByTestId('stake-unbonding')).toHaveText('0 ABT');
  await expect(page.getByText('Nothing is unbonding')).toBeVisible();

  await tab(page, 'Overview');
  const history = page.getByRole('list', { name: 'Transactions' });
  await expect(history).toContainText('Withdrew unbonded stake');
  await expect(history).toContainText(/Unstaked 4 ABT/);
  await expect(history.getByRole('listitem').filter({ hasText: 'Staked 10 ABT' })).toContainText('−10 ABT');
  await look(page, testInfo, 'wallet-history-stake', history);

  // The stake in the explorer, in words.
  await history.getByRole('listitem').filter({ hasText: 'Staked 10 ABT' }).getByRole('link').click();
  await expect(page.getByTestId('tx-summary')).toHaveText('Staked 10 ABT');
  await look(page, testInfo, 'explorer-stake-tx', page.getByTestId('tx-summary'));
});
