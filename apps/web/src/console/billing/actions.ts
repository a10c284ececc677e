import {
  applicationConsent,
  ClientError,
  fundApplication,
  openApplication,
  parseAmount,
  type TxResult,
  type Wallet,
  withdrawDeposit,
} from '@arc/client';
import { z } from 'zod';
import { nodeClient, type WalletContextValue } from '../../wallet/index.ts';
import { ABT_DECIMALS, accountSigner } from '../applications/signing.ts';
import { abt } from './format.ts';

/** An amount of ABT above 0, as typed in the billing forms. */
export const BillingAmount = z
  .string()
  .transform((text) => text.trim().replaceAll(',', ''))
  .refine((text) => {
    try {
      return parseAmount(text, ABT_DECIMALS) > 0n;
    } catch {
      return false;
    }
  }, 'an amount of ABT above 0, like 1 or 0.5');

export interface BillingTarget {
  appDid: string;
  appName: string;
  /** The chain's minimum fee, which the owner pays for each of these transactions. */
  fee: bigint;
}

/** What the developer's own account must hold for `value` plus the fee, or an INSUFFICIENT_FUNDS to show. */
export function checkFunds(held: bigint, value: bigint, fee: bigint, verb: string): ClientError | null {
  if (value + fee <= held) return null;
  return new ClientError(
    'INSUFFICIENT_FUNDS',
    `You have ${abt(held)}; ${verb} ${abt(value)} plus the ${abt(fee)} fee needs more. Get test ABT in your wallet, or use less.`,
  );
}

function ownAccount(signer: Wallet, target: BillingTarget): void {
  if (signer.did === target.appDid)
    throw new ClientError('BAD_INPUT', `The wallet's selected account is ${target.appName} itself; select your own account and try again.`);
}

/**
 * Opens billing: the application's key (one of the wallet's accounts) signs its consent to be billed under the
 * developer, then the developer sends openApplication with the first deposit. One consent dialog for both.
 */
export function openBilling(
  wallet: WalletContextValue,
  target: BillingTarget & { chainId: string; deposit: bigint; periodWords: string },
): Promise<TxResult> {
  return wallet.signWithConsent({
    title: `Open billing for ${target.appName}`,
    origin: 'Arc Console',
    details: [
      {
        label: 'What happens',
        value: `${abt(target.deposit)} leave your account as ${target.appName}'s deposit; every ${target.periodWords} its bill (its users' fees, paid components and node time) is paid from it`,
      },
      { label: 'Signed by', value: `You (the owner), and ${target.appName}'s key in your wallet (its consent)` },
      { label: 'Application', value: target.appDid },
      { label: 'Fee', value: `${abt(target.fee)}, paid by you` },
    ],
    sign: async (developer) => {
      ownAccount(developer, target);
      const app = await accountSigner(wallet, target.appDid);
      const consent = applicationConsent(app, target.chainId, developer.did);
      return nodeClient().submit(developer, openApplication({ ...consent, deposit: target.deposit }), { fee: target.fee });
    },
  });
}

/** Adds to the deposit; what the application owes is paid from it at once, and a suspended application runs again. */
export function addFunds(wallet: WalletContextValue, target: BillingTarget & { amount: bigint; pays: bigint }): Promise<TxResult> {
  return wallet.signWithConsent({
    title: `Add ${abt(target.amount)} to ${target.appName}'s deposit`,
    origin: 'Arc Console',
    details: [
      { label: 'What happens', value: `${abt(target.amount)} leave your account for ${target.appName}'s billing deposit` },
      ...(target.pays > 0n ? [{ label: 'Pays', value: `${abt(target.pays)} unpaid, at once` }] : []),
      { label: 'Application', value: target.appDid },
      { label: 'Fee', value: `${abt(target.fee)}, paid by you` },
    ],
    sign: (developer) => {
      ownAccount(developer, target);
      return nodeClient().submit(developer, fundApplication({ application: target.appDid, amount: target.amount }), { fee: target.fee });
    },
  });
}

/** The owner takes back deposit the application does not owe. */
export function withdrawFromDeposit(wallet: WalletContextValue, target: BillingTarget & { amount: bigint }): Promise<TxResult> {
  return wallet.signWithConsent({
    title: `Withdraw ${abt(target.amount)} from ${target.appName}'s deposit`,
    origin: 'Arc Console',
    details: [
      { label: 'What happens', value: `${abt(target.amount)} of the deposit come back to your account` },
      { label: 'Application', value: target.appDid },
      { label: 'Fee', value: `${abt(target.fee)}, paid by you` },
    ],
    sign: (developer) => {
      ownAccount(developer, target);
      return nodeClient().submit(developer, withdrawDeposit({ application: target.appDid, amount: target.amount }), { fee: target.fee });
    },
  });
}
