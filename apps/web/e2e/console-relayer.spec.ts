import { buildTx, declareAccount, encodeForSponsor, Wallet } from '@arc/client';
import { createClient } from '@arc/client/client';
import { fromHex, toHex } from '@arc/core';
import { expect as baseExpect, test } from '@playwright/test';
import { addAuthenticator, localBase } from './helpers/authenticator.ts';
import { consent, developerWithApplication } from './helpers/console.ts';
import { look } from './helpers/look.ts';

/**
 * An application's fee relayer from the console: a developer with billing open sets up the relayer (a deploy the
 * wallet asks to sign, then the application's key handed to it), and a user with no ABT at all, from a client we did
 * not script through the page, sends a transaction to its endpoint; its fee goes on the application's bill.
 */

const expect = baseExpect.configure({ timeout: 30_000 });
const NODE_URL = `http://127.0.0.1:${process.env.ARC_E2E_NODE_PORT}`;

test('a developer sets up a fee relayer, and a user with no ABT transacts through it on the application’s bill', async ({
  page,
  context,
  baseURL,
}, testInfo) => {
  test.setTimeout(300_000);
  const base = localBase(baseURL);
  await addAuthenticator(context, page);
  await developerWithApplication(page, base, 'Relay shop');

  const billing = page.getByRole('region', { name: 'Billing', exact: true });
  const openForm = page.getByRole('form', { name: 'Open billing for Relay shop' });
  await openForm.getByLabel('Deposit (ABT)').fill('5');
  await openForm.getByRole('button', { name: 'Open billing' }).click();
  await consent(page, /Open billing for Relay shop/);
  await expect(billing.getByText('Active', { exact: true })).toBeVisible();

  const relayer = page.getByRole('region', { name: 'Fee relayer', exact: true });
  await expect(relayer).toContainText('No relayer yet');
  await relayer.getByRole('button', { name: 'Set up relayer' }).click();
  await consent(page, /Deploy relayer-[a-z0-9]+ 1\.0\.0/);
  await consent(page, /Let relayer-[a-z0-9]+ pay Relay shop's users' fees[\s\S]*APP_KEY/);
  await expect(relayer.getByTestId('relayer-status')).toHaveText('Ready: co-signing for its users');
  await expect(relayer).toContainText(/Pays for.*createAsset/);
  await look(page, testInfo, 'console-fee-relayer', relayer);
  const name = (await relayer.getByRole('link', { name: /^relayer-/ }).textContent())?.trim() ?? '';

  // A user with a fresh key and no ABT: the relayer names the fee payer, the user signs, the relayer co-signs and sends.
  const node = createClient({ url: NODE_URL });
  const info = await node.chainInfo();
  const identity = (await (await fetch(`${NODE_URL}/b/${name}/identity`)).json()) as { feePayer: { did: string; publicKey: string } };
  const user = Wallet.generate();
  const unsigned = buildTx({
    chainId: info.chainId,
    wallet: user,
    nonce: 1,
    fee: BigInt(info.params.minFee),
    itx: declareAccount({ moniker: 'relayed user' }),
    feePayer: { did: identity.feePayer.did, publicKey: fromHex(identity.feePayer.publicKey.slice(2)) },
  });
  const answer = await fetch(`${NODE_URL}/b/${name}/sponsor`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tx: `0x${toHex(encodeForSponsor(user.signForSponsor(unsigned)))}` }),
  });
  expect(answer.status).toBe(200);
  const { hash } = (await answer.json()) as { hash: string };
  expect((await node.waitForTx(hash, 30_000)).status).toBe('committed');
  expect((await node.getAccount(user.did)).balance).toBe(0n);

  // Its fee is on the bill: owed until the period ends, then paid on an invoice.
  const paid = page.getByRole('table', { name: 'Invoices' }).getByRole('row').filter({ hasText: 'Paid' }).first();
  await expect(billing.getByRole('group', { name: 'Owed' }).filter({ hasText: '0.0001 ABT' }).or(paid).first()).toBeVisible();
});
