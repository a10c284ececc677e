import { readFile } from 'node:fs/promises';
import { Wallet } from '@arc/client';
import { expect as baseExpect, type Page, test } from '@playwright/test';
import { addAuthenticator, localBase } from './helpers/authenticator.ts';
import { look } from './helpers/look.ts';
import { screens } from './helpers/screens.ts';

/**
 * The in-page wallet (issue 18, tests 1 and 3): a passkey wallet (Chromium's virtual authenticator with PRF), a
 * passphrase wallet, backup and restore in a fresh browser, and bad input (wrong passphrase, a refused passkey
 * prompt, an overdraft). WebAuthn needs a host name, not an IP address, as its relying party: the pages are opened
 * on localhost.
 */

const PASSPHRASE = 'correct horse battery';
const BACKUP_PASSPHRASE = 'paper in the drawer';

// scrypt (N = 2^17) and block commits take seconds on a busy machine: each wait gets up to 45 s.
const expect = baseExpect.configure({ timeout: 45_000 });

// Journeys through several pages, each looked at and checked by axe at two widths.
test.describe.configure({ timeout: 240_000 });

const balance = (page: Page) => page.getByTestId('abt-balance');

/** Moves between wallet pages inside the app: a page load would lock the wallet (its key lives in memory only). */
async function tab(page: Page, name: 'Overview' | 'Send' | 'Receive' | 'Accounts' | 'Backup') {
  await page.getByRole('navigation', { name: 'Wallet' }).getByRole('link', { name, exact: true }).click();
  await expect(page.getByRole('navigation', { name: 'Wallet' }).getByRole('link', { name, exact: true })).toHaveAttribute(
    'aria-current',
    'page',
  );
}

async function didOfActiveAccount(page: Page): Promise<string> {
  await tab(page, 'Receive');
  const did = (await page.getByTestId('receive-did').textContent())?.trim() ?? '';
  expect(did).toMatch(/^did:abt:z/);
  return did;
}

/** A new wallet with the passphrase only, opened on its (empty) overview; its account's DID. */
async function createPassphraseWallet(page: Page, base: string): Promise<string> {
  await page.goto(`${base}/wallet`);
  await page.getByLabel('New passphrase').fill(PASSPHRASE);
  await page.getByLabel('Type it again').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Create with passphrase' }).click();
  await expect(balance(page)).toHaveText(/^0 /);
  return didOfActiveAccount(page);
}

test('a new visitor creates a wallet with a passkey, takes faucet ABT, sends to a second account live, and unlocks again after a reload', async ({
  page,
  context,
  baseURL,
}, testInfo) => {
  const base = localBase(baseURL);
  await addAuthenticator(context, page);
  await page.goto(`${base}/wallet`);
  const create = page.getByRole('button', { name: 'Create with a passkey' });
  await look(page, testInfo, 'wallet-create', create);
  await create.click();
  await expect(balance(page)).toHaveText(/^0 /);

  await page.getByRole('button', { name: /^Get .* test ABT$/ }).click();
  await expect(balance(page)).toHaveText(/^100 /);
  const first = await didOfActiveAccount(page);

  // A second account: added, selected, its DID read, then the first one selected again.
  await tab(page, 'Accounts');
  await page.getByLabel('Name (optional)').fill('Savings');
  await page.getByRole('button', { name: 'Add account' }).click();
  const accounts = page.getByRole('list', { name: 'Accounts' });
  await expect(accounts.getByRole('listitem')).toHaveCount(2);
  const second = await didOfActiveAccount(page);
  expect(second).not.toBe(first);
  await tab(page, 'Accounts');
  await page.getByRole('button', { name: 'Select Account 1' }).click();
  await expect(accounts.getByRole('listitem').first()).toContainText('Selected');

  await tab(page, 'Send');
  await page.getByLabel('To', { exact: true }).fill(second);
  await page.getByLabel(/^Amount/).fill('10');
  await look(page, testInfo, 'wallet-send', page.getByRole('button', { name: 'Review and send' }));
  await page.getByRole('button', { name: 'Review and send' }).click();
  const consent = page.getByRole('dialog', { name: 'Send 10 ABT' });
  await expect(consent).toContainText(second);
  await expect(consent).toContainText('paid by you');
  await screens(page, testInfo, 'wallet-send-consent');
  await consent.getByRole('button', { name: 'Sign' }).click();
  const status = page.getByTestId('tx-status');
  // Accepted first (pending), then committed in a block a moment later, without a reload.
  await expect(status).toHaveText(/Pending|Committed/);
  await expect(status).toHaveText('Committed');
  await screens(page, testInfo, 'wallet-sent');

  await tab(page, 'Overview');
  await expect(balance(page)).toHaveText(/^89\.9/);
  const history = page.getByRole('list', { name: 'Transactions' });
  await expect(history.getByText(/^Sent to /)).toBeVisible();
  const spent = await balance(page).textContent();
  await look(page, testInfo, 'wallet-home', history);

  await page.reload();
  await page.getByRole('button', { name: 'Unlock with passkey' }).click();
  await expect(balance(page)).toHaveText(spent ?? '');
});

test('a passphrase wallet: a wrong passphrase is said and changes nothing; its backup file restores the account in a fresh browser', async ({
  page,
  browser,
  baseURL,
}, testInfo) => {
  const base = localBase(baseURL);
  const did = await createPassphraseWallet(page, base);

  await tab(page, 'Overview');
  await page.getByRole('button', { name: 'Lock' }).click();
  const unlock = page.getByRole('region', { name: 'Your wallet is locked' });
  await look(page, testInfo, 'wallet-locked', unlock);
  await unlock.getByLabel('Passphrase').fill('not the passphrase');
  await unlock.getByRole('button', { name: 'Unlock with passphrase' }).click();
  await expect(unlock.getByRole('alert')).toHaveAttribute('data-error-code', 'WRONG_PASSPHRASE');
  await expect(unlock.getByRole('alert')).toContainText('does not open this wallet');
  await screens(page, testInfo, 'wallet-wrong-passphrase');
  await unlock.getByLabel('Passphrase').fill(PASSPHRASE);
  await unlock.getByRole('button', { name: 'Unlock with passphrase' }).click();
  await expect(balance(page)).toHaveText(/^0 /);

  // The backup file, after confirming with the wallet's passphrase.
  await tab(page, 'Backup');
  const exportCard = page.getByRole('region', { name: 'Download a backup file' });
  await look(page, testInfo, 'wallet-backup', exportCard);
  await exportCard.getByLabel('New passphrase').fill(BACKUP_PASSPHRASE);
  await exportCard.getByLabel('Type it again').fill(BACKUP_PASSPHRASE);
  await exportCard.getByRole('button', { name: 'Download backup' }).click();
  const confirm = page.getByRole('dialog', { name: 'Confirm it is you' });
  await confirm.getByLabel('Passphrase').fill(PASSPHRASE);
  const downloading = page.waitForEvent('download');
  await confirm.getByRole('button', { name: 'Confirm with passphrase' }).click();
  const download = await downloading;
  const file = testInfo.outputPath('backup.json');
  await download.saveAs(file);
  const text = await readFile(file, 'utf8');
  expect(JSON.parse(text)).toMatchObject({ format: 'arc-backup', version: 1 });
  expect(text).not.toContain(PASSPHRASE);

  // The recovery phrase: 24 words after confirming again.
  await page.getByRole('button', { name: 'Show recovery phrase' }).click();
  await confirm.getByLabel('Passphrase').fill(PASSPHRASE);
  await confirm.getByRole('button', { name: 'Confirm with passphrase' }).click();
  await expect(page.getByRole('list', { name: 'Recovery phrase' }).getByRole('listitem')).toHaveCount(24);

  // A fresh browser: restore from the file with the backup's passphrase.
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto(`${base}/wallet/backup`);
  const restore = other.getByRole('region', { name: 'Restore' });
  await restore.getByLabel('Backup file', { exact: true }).and(other.locator('input[type=file]')).setInputFiles(file);
  await restore.getByLabel('Backup passphrase').fill('a wrong one');
  await restore.getByRole('button', { name: 'Restore from file' }).click();
  await expect(restore.getByRole('alert')).toHaveAttribute('data-error-code', 'WRONG_PASSPHRASE');
  await restore.getByLabel('Backup passphrase').fill(BACKUP_PASSPHRASE);
  await restore.getByRole('button', { name: 'Restore from file' }).click();
  await expect(restore.getByRole('status')).toHaveText('Restored 1 account.');
  expect(await didOfActiveAccount(other)).toBe(did);
  await fresh.close();
});

test('a refused passkey prompt and an overdraft are each said in plain words, and nothing is lost', async ({
  page,
  context,
  baseURL,
}, testInfo) => {
  const base = localBase(baseURL);
  const authenticator = await addAuthenticator(context, page);
  await page.goto(`${base}/wallet`);
  await page.getByRole('button', { name: 'Create with a passkey' }).click();
  await expect(balance(page)).toHaveText(/^0 /);
  await tab(page, 'Receive');
  await look(page, testInfo, 'wallet-receive', page.getByRole('img', { name: /QR code of/ }));
  await tab(page, 'Accounts');
  await look(page, testInfo, 'wallet-accounts', page.getByRole('list', { name: 'Accounts' }));

  // An overdraft: said before anything is signed.
  await tab(page, 'Send');
  await page.getByLabel('To', { exact: true }).fill('did:abt:not-a-did');
  await page.getByLabel(/^Amount/).fill('5');
  await page.getByRole('button', { name: 'Review and send' }).click();
  await expect(page.getByText('This is not an account DID')).toBeVisible();
  const receiver = Wallet.generate().did;
  await page.getByLabel('To', { exact: true }).fill(receiver);
  await page.getByRole('button', { name: 'Review and send' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'cannot pay' });
  await expect(alert).toHaveAttribute('data-error-code', 'INSUFFICIENT_FUNDS');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await screens(page, testInfo, 'wallet-send-overdraft');

  // A refused passkey prompt: the wallet stays locked, says why, and opens once the passkey answers.
  await tab(page, 'Overview');
  await page.getByRole('button', { name: 'Lock' }).click();
  await authenticator.setUserVerified(false);
  await page.getByRole('button', { name: 'Unlock with passkey' }).click();
  const refused = page.getByRole('region', { name: 'Your wallet is locked' }).getByRole('alert');
  await expect(refused).toHaveAttribute('data-error-code', 'CANCELLED');
  await screens(page, testInfo, 'wallet-passkey-refused');
  // Nothing lost: the encrypted wallet is still stored and offers its passkey again. (Chromium's virtual
  // authenticator keeps refusing once user verification was switched off, so the unlock is not retried here.)
  await expect(page.getByRole('button', { name: 'Unlock with passkey' })).toBeEnabled();
  const stored = await page.evaluate(
    () =>
      new Promise<boolean>((resolve, reject) => {
        const open = indexedDB.open('arc-wallet');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('vault').objectStore('vault').get('main');
          get.onsuccess = () => resolve(get.result !== undefined);
          get.onerror = () => reject(get.error);
        };
      }),
  );
  expect(stored).toBe(true);
});

test('a passphrase wallet adds a passkey, then unlocks with the passkey or the passphrase, after a reload too', async ({
  page,
  context,
  baseURL,
}, testInfo) => {
  const base = localBase(baseURL);
  await addAuthenticator(context, page);
  const did = await createPassphraseWallet(page, base);

  await tab(page, 'Accounts');
  const methods = page.getByRole('region', { name: 'Ways to unlock' });
  await expect(methods.getByTestId('unlock-method-passkey')).toContainText('none yet');
  await expect(methods.getByTestId('unlock-method-passphrase')).toContainText('yes');
  await methods.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(methods.getByRole('status')).toContainText('Passkey added');
  await expect(methods.getByTestId('unlock-method-passkey')).toContainText('yes');
  await expect(methods.getByTestId('unlock-method-passphrase')).toContainText('yes');
  await look(page, testInfo, 'wallet-passkey-added', methods.getByRole('button', { name: 'Add another passkey' }));

  // Locked, it opens with the new passkey, and the passphrase still opens it.
  await tab(page, 'Overview');
  await page.getByRole('button', { name: 'Lock' }).click();
  const locked = page.getByRole('region', { name: 'Your wallet is locked' });
  await locked.getByRole('button', { name: 'Unlock with passkey' }).click();
  await expect(balance(page)).toHaveText(/^0 /);
  expect(await didOfActiveAccount(page)).toBe(did);
  await tab(page, 'Overview');
  await page.getByRole('button', { name: 'Lock' }).click();
  await locked.getByLabel('Passphrase').fill('not the passphrase');
  await locked.getByRole('button', { name: 'Unlock with passphrase' }).click();
  await expect(locked.getByRole('alert')).toHaveAttribute('data-error-code', 'WRONG_PASSPHRASE');
  await locked.getByLabel('Passphrase').fill(PASSPHRASE);
  await locked.getByRole('button', { name: 'Unlock with passphrase' }).click();
  await expect(balance(page)).toHaveText(/^0 /);

  // The passkey slot was stored, not only kept in memory.
  await page.reload();
  await page.getByRole('button', { name: 'Unlock with passkey' }).click();
  expect(await didOfActiveAccount(page)).toBe(did);
});
