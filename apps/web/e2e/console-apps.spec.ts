import { expect, type Page, test } from '@playwright/test';
import { addAuthenticator, localBase } from './helpers/authenticator.ts';
import { consent } from './helpers/console.ts';
import { look } from './helpers/look.ts';

/**
 * The console's sign-in and applications (issue 18: "Sign in to applications and to the console", "Developer console →
 * Applications"): a developer with a passkey wallet signs in, creates an application (its key kept in the wallet), an
 * API key shown once and then revoked (after a confirm step), topic rules, a fee grant whose spend shows after the
 * user's transaction, and ABT added from the developer's account to the application's. Pages are opened on
 * localhost: WebAuthn needs a host name as its relying party.
 */

/**
 * A passkey wallet with faucet ABT; answers the account's DID. It moves by links only: a full navigation (goto) loads
 * the page anew, and the wallet is locked again.
 */
async function walletWithAbt(page: Page, base: string): Promise<string> {
  await page.goto(`${base}/wallet`);
  await page.getByRole('button', { name: 'Create with a passkey' }).click();
  await expect(page.getByTestId('abt-balance')).toHaveText(/^0 /);
  await page.getByRole('button', { name: /^Get .* test ABT$/ }).click();
  await expect(page.getByTestId('abt-balance')).toHaveText(/^100 /);
  await page.getByRole('navigation', { name: 'Wallet' }).getByRole('link', { name: 'Receive' }).click();
  const did = (await page.getByTestId('receive-did').textContent())?.trim() ?? '';
  expect(did).toMatch(/^did:abt:z/);
  return did;
}

/** "1.2345 ABT" in the ledger's smallest unit (18 decimals), to compare balances exactly. */
function abtUnits(text: string): bigint {
  const match = /^\s*(\d+)(?:\.(\d{1,18}))?\s*ABT\s*$/.exec(text.replace(/,/g, ''));
  if (!match) throw new Error(`not an ABT amount: ${text}`);
  return BigInt(match[1] ?? '0') * 10n ** 18n + BigInt((match[2] ?? '').padEnd(18, '0'));
}

test('a developer signs in to the console, creates an application, an API key it revokes, topic rules, a fee grant whose spend it sees, and adds funds', async ({
  page,
  context,
  baseURL,
}, testInfo) => {
  // Screenshots and axe at two widths on five pages take most of it on a busy machine.
  test.setTimeout(480_000);
  const base = localBase(baseURL);
  await addAuthenticator(context, page);

  const developer = await walletWithAbt(page, base);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Console' }).click();
  const signIn = page.getByRole('button', { name: 'Sign in with your wallet' });
  await look(page, testInfo, 'console-gate', signIn);
  await signIn.click();
  await consent(page, /Arc Console[\s\S]*deploy and manage your blocklets[\s\S]*move your funds/);
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await look(page, testInfo, 'console-overview', page.getByText('No applications yet.'));

  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Applications' }).click();
  await look(page, testInfo, 'console-applications', page.getByText('No applications yet: create one below.'));
  await page.getByLabel('Name').fill('x');
  await page.getByRole('button', { name: 'Create application' }).click();
  await expect(page.getByText('at least 2 characters')).toBeVisible();
  await page.getByLabel('Name').fill('Demo shop');
  await page.getByRole('button', { name: 'Create application' }).click();
  await consent(page, /Create the application "Demo shop"[\s\S]*kept in this wallet/);
  await expect(page).toHaveURL(/\/console\/applications\/did/, { timeout: 30_000 });
  await expect(page.getByRole('heading', { name: 'Demo shop' })).toBeVisible();
  await expect(page.getByText('Declared', { exact: true })).toBeVisible();

  await page.getByRole('button', { name: 'Create API key' }).click();
  await consent(page, /Create an API key/);
  await expect(page.getByTestId('api-key-secret')).toHaveText(/^ak_key_[0-9a-f]+\.\S+$/);
  await expect(page.getByText('it is shown once')).toBeVisible();
  const keyId = /^ak_([^.]+)\./.exec((await page.getByTestId('api-key-secret').textContent()) ?? '')?.[1] ?? '';
  const keys = page.getByRole('table', { name: 'API keys' });
  await expect(keys.getByRole('row', { name: new RegExp(keyId) })).toBeVisible();

  // Revoking asks first, saying what stops working, then the application's key signs it.
  await keys.getByRole('button', { name: `Revoke ${keyId}` }).click();
  const confirm = page.getByRole('dialog', { name: `Revoke ${keyId}?` });
  await expect(confirm).toContainText('disconnected now, and can no longer connect');
  await look(page, testInfo, 'console-api-key-revoke', confirm);
  await confirm.getByRole('button', { name: 'Keep it' }).click();
  await expect(confirm).toBeHidden();
  await expect(keys.getByRole('row', { name: new RegExp(keyId) })).toBeVisible();
  await keys.getByRole('button', { name: `Revoke ${keyId}` }).click();
  await confirm.getByRole('button', { name: 'Revoke key', exact: true }).click();
  await consent(page, new RegExp(`Revoke the API key ${keyId}[\\s\\S]*disconnected now`));
  await expect(page.getByText('No API keys: create one for each server that publishes as Demo shop.')).toBeVisible();
  await expect(page.getByTestId('api-key-secret')).toHaveCount(0);

  await page.getByRole('button', { name: 'Add a rule' }).click();
  await page.getByLabel('Topic name 1').fill('chat');
  await page.getByRole('button', { name: 'Save rules' }).click();
  await consent(page, /chat: publish owner, subscribe authenticated/);
  await expect(page.getByText('Topic rules saved', { exact: true })).toBeVisible();

  await page.getByLabel('User DID').fill(developer);
  await page.getByRole('button', { name: 'Grant', exact: true }).click();
  await consent(page, /Pay fees for[\s\S]*0\.01 ABT of fees, paid by Demo shop/);
  await expect(page.getByTestId('grant-spent')).toHaveText('0 ABT');
  await page.getByRole('button', { name: 'Send a test transaction' }).click();
  await consent(page, /the fee is paid by Demo shop/);
  await expect(page.getByTestId('grant-spent')).toHaveText('0.0001 ABT');

  // Add funds: the developer's ABT to the application, whose balance pays the grants' fees.
  const balance = page.getByTestId('app-balance');
  const before = abtUnits((await balance.textContent()) ?? '');
  await page.getByRole('button', { name: 'Add funds' }).click();
  const amount = page.getByLabel('Amount (ABT)');
  const send = page.getByRole('button', { name: 'Send to Demo shop' });
  await amount.fill('0');
  await send.click();
  await expect(page.getByText('an amount of ABT above 0, like 1 or 0.5')).toBeVisible();
  await amount.fill('1000');
  await send.click();
  await expect(page.locator('[data-error-code="INSUFFICIENT_FUNDS"]')).toContainText(
    /You have 9\d\.\d+ ABT; adding 1,000 ABT plus the 0\.0001 ABT fee needs more/,
  );
  await amount.fill('2');
  await expect(page.locator('[data-error-code="INSUFFICIENT_FUNDS"]')).toHaveCount(0);
  await look(page, testInfo, 'console-add-funds', page.getByRole('form', { name: 'Add funds to Demo shop' }));
  await send.click();
  await consent(page, /Add 2 ABT to Demo shop[\s\S]*leave your account for Demo shop's account[\s\S]*0\.0001 ABT, paid by you/);
  await expect(page.getByRole('form', { name: 'Add funds to Demo shop' })).toBeHidden();
  await expect.poll(async () => abtUnits((await balance.textContent()) ?? '')).toBe(before + 2n * 10n ** 18n);
  await expect(page.getByRole('group', { name: 'Balance' })).toContainText(((await balance.textContent()) ?? '').trim());
  await look(page, testInfo, 'console-application', page.getByRole('heading', { name: 'Demo shop' }));
});

test('an application asks a user to sign in: the page names it, says what it may do, and returns with the session', async ({
  page,
  context,
  baseURL,
}, testInfo) => {
  test.setTimeout(300_000);
  const base = localBase(baseURL);
  await addAuthenticator(context, page);
  const back = `${base}/explorer`;
  const signInUrl = `${base}/wallet/sign-in?app=${encodeURIComponent('Demo shop')}&return=${encodeURIComponent(back)}`;
  await walletWithAbt(page, base);
  // Sent here again by the application: the wallet is locked, so it asks for the passkey before the consent.
  await page.goto(signInUrl);
  await expect(page.getByRole('heading', { name: 'Demo shop asks you to sign in' })).toBeVisible();
  await expect(page.getByText('move your funds')).toBeVisible();
  await look(page, testInfo, 'wallet-sign-in', page.getByRole('button', { name: 'Sign in with your wallet' }));
  await page.getByRole('button', { name: 'Sign in with your wallet' }).click();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: /passkey/i })
    .click();
  await consent(page, /Sign in to Demo shop/);
  await expect(page).toHaveURL(/\/explorer#arc_session=st_[^&]+&did=did%3Aabt%3Az/);
});
