import { expect, type Page } from '@playwright/test';

/**
 * Agrees in the wallet's consent dialog, after checking what it says. Waits for that dialog to go, not for every dialog
 * to: a step that asks twice (deploy a relayer, then hand it the key) opens the next one as soon as the first is signed,
 * sometimes before a look for "no dialog" comes round.
 */
export async function consent(page: Page, says: RegExp): Promise<void> {
  const dialog = page.getByRole('dialog').filter({ hasText: says });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Sign' }).click();
  try {
    await expect(dialog).toBeHidden({ timeout: 30_000 });
  } catch (error) {
    // Say what the dialog shows (an error under its details), not only that it stayed.
    const shown = await dialog.textContent({ timeout: 1_000 }).catch(() => '(unreadable)');
    throw new Error(`the consent dialog stayed open after Sign; it shows:\n${shown}`, { cause: error });
  }
}

/** A passkey wallet with faucet ABT, signed in to the console, with a new application open; the developer's DID. */
export async function developerWithApplication(page: Page, base: string, name: string): Promise<string> {
  await page.goto(`${base}/wallet`);
  await page.getByRole('button', { name: 'Create with a passkey' }).click();
  await expect(page.getByTestId('abt-balance')).toHaveText(/^0 /);
  await page.getByRole('button', { name: /^Get .* test ABT$/ }).click();
  await expect(page.getByTestId('abt-balance')).toHaveText(/^100 /, { timeout: 30_000 });
  await page.getByRole('navigation', { name: 'Wallet' }).getByRole('link', { name: 'Receive' }).click();
  const did = (await page.getByTestId('receive-did').textContent())?.trim() ?? '';
  expect(did).toMatch(/^did:abt:z/);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Console' }).click();
  await page.getByRole('button', { name: 'Sign in with your wallet' }).click();
  await consent(page, /Arc Console/);
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Applications' }).click();
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Create application' }).click();
  await consent(page, new RegExp(`Create the application "${name}"`));
  await expect(page).toHaveURL(/\/console\/applications\/did/, { timeout: 30_000 });
  await expect(page.getByRole('heading', { name })).toBeVisible({ timeout: 30_000 });
  return did;
}
