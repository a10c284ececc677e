import { expect as baseExpect, test } from '@playwright/test';
import { localBase } from './helpers/authenticator.ts';
import { look } from './helpers/look.ts';

/**
 * The bridge in the wallet: lock ABT on Arc and watch the bridge mint it on Ethereum (the e2e node's anvil mines a
 * block a second; the bridge wants 2 confirmations, 2 of its 3 signers), live on the page and in the transfers table.
 * A mistyped Ethereum address is said in words before anything is signed.
 */

const expect = baseExpect.configure({ timeout: 30_000 });
const PASSPHRASE = 'a bridge to somewhere';
/** anvil's second default account. */
const ANVIL_ADDRESS = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

test('a wallet bridges 1 ABT to an Ethereum address and watches it lock, mint with the confirmations counting, and land', async ({
  page,
  baseURL,
}, testInfo) => {
  test.setTimeout(180_000);
  const base = localBase(baseURL);
  await page.goto(`${base}/wallet`);
  await page.getByLabel('New passphrase').fill(PASSPHRASE);
  await page.getByLabel('Type it again').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Create with passphrase' }).click();
  await expect(page.getByTestId('abt-balance')).toHaveText(/^0 /);
  await page.getByRole('button', { name: /^Get .* test ABT$/ }).click();
  await expect(page.getByTestId('abt-balance')).toHaveText(/^100 /);

  // In the app (a page load would lock the wallet: its key lives in memory only).
  const link = page.getByRole('navigation', { name: 'Wallet' }).getByRole('link', { name: 'Bridge', exact: true });
  await link.click();
  await expect(link).toHaveAttribute('aria-current', 'page');
  const form = page.getByRole('form', { name: 'Bridge to Ethereum' });
  await expect(page.getByText('No bridge transfers yet')).toBeVisible();
  await expect(page.getByTestId('bridge-invariant')).toContainText('the books balance');
  // Who signs: 2 of the 3 signers, each a blocklet of the node.
  await expect(page.getByTestId('bridge-signers')).toContainText('2 of 3 must sign');
  await expect(page.getByTestId('bridge-signer-blocklets')).toContainText('bridge-signer-1, bridge-signer-2, bridge-signer-3');
  // Who carries their signatures: the relayer, a blocklet too.
  await expect(page.getByTestId('bridge-relayer')).toHaveText('bridge-relayer');

  // Mistakes are said in words, and nothing is signed.
  await form.getByLabel('Amount (ABT)').fill('1');
  await form.getByLabel('Ethereum address').fill('0x1234');
  await form.getByRole('button', { name: 'Bridge to Ethereum' }).click();
  await expect(form.getByText('An Ethereum address has 40 hex digits after 0x; this one has 4.')).toBeVisible();
  await form.getByLabel('Ethereum address').fill(`0x${'g'.repeat(40)}`);
  await form.getByRole('button', { name: 'Bridge to Ethereum' }).click();
  await expect(form.getByText('An Ethereum address has only hex digits (0–9, a–f) after 0x; “g” is not one.')).toBeVisible();
  await form.getByLabel('Ethereum address').fill(ANVIL_ADDRESS.slice(2));
  await form.getByRole('button', { name: 'Bridge to Ethereum' }).click();
  await expect(form.getByText('An Ethereum address starts with 0x, then 40 hex digits.')).toBeVisible();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await look(page, testInfo, 'wallet-bridge-invalid-address', form);

  await form.getByLabel('Ethereum address').fill(ANVIL_ADDRESS);
  await form.getByRole('button', { name: 'Bridge to Ethereum' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText(
    `Lock 1 ABT on Arc; 1 ABT will be minted on Ethereum to ${ANVIL_ADDRESS.toLowerCase()} after 2 confirmations`,
  );
  await dialog.getByRole('button', { name: 'Sign' }).click();
  await expect(dialog).toBeHidden();

  // Live: locked, then minting with the confirmations counting, then minted with the Ethereum transaction.
  const progress = page.getByTestId('bridge-progress');
  const minted = `Minted: 1 ABT on Ethereum at ${ANVIL_ADDRESS.toLowerCase()}.`;
  const seen = new Set<string>();
  await expect
    .poll(
      async () => {
        const text = (await progress.textContent()) ?? '';
        seen.add(text);
        return text;
      },
      { timeout: 60_000, intervals: [100] },
    )
    .toBe(minted);
  // The count shows while the mint deepens. On a busy machine the relayer may first see the mint when it is already
  // 2 deep and record it done at once, so the count may never pass 0 on screen: "0 of 2" still shows the count.
  const counted = [...seen].filter((text) => /^Minting: [012] of 2 confirmations\.$/.test(text));
  expect(counted.length, [...seen].join('\n')).toBeGreaterThanOrEqual(1);
  const thisTransfer = page.getByRole('region', { name: 'This transfer' });
  await expect(thisTransfer.getByRole('button', { name: 'Copy Ethereum transaction hash' })).toBeVisible();

  const row = page.getByRole('table', { name: 'Bridge transfers' }).getByRole('row').filter({ hasText: 'Arc → Ethereum' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('1 ABT');
  await expect(row).toContainText('Minted');
  await expect(row.getByTitle('2 of 2 confirmations')).toHaveText('2 of 2');
  await expect(row.getByRole('link')).toHaveAttribute('href', /^\/explorer\/tx\/[0-9a-f]{64}$/);
  await expect(page.getByTestId('bridge-supply')).not.toHaveText('0 ABT');
  await expect(page.getByTestId('bridge-invariant')).toContainText('the books balance');
  await expect(page.getByText('burnToArc(amount, yourDid)')).toBeVisible();
  await look(page, testInfo, 'wallet-bridge', row);

  // The same books, live, on the explorer's home and on the console's chains page (in the app: a page load would
  // lock the wallet the console signs in with).
  const main = page.getByRole('navigation', { name: 'Main' });
  const sameBooks = async (name: string) => {
    const books = page.getByTestId('bridge-invariant');
    await expect(books).toHaveAttribute('data-balanced', 'true');
    await expect(books).toContainText('the books balance');
    await expect(page.getByTestId('bridge-supply')).not.toHaveText('0 ABT');
    await look(page, testInfo, name, books);
  };
  await main.getByRole('link', { name: 'Explorer' }).click();
  await sameBooks('explorer-bridge-books');
  await main.getByRole('link', { name: 'Console' }).click();
  await page.getByRole('button', { name: 'Sign in with your wallet' }).click();
  const consent = page.getByRole('dialog');
  await expect(consent).toContainText(/Arc Console/);
  await consent.getByRole('button', { name: 'Sign' }).click();
  await expect(consent).toBeHidden();
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Chains' }).click();
  await sameBooks('console-bridge-books');
});
