import { ClientError, type Itx, parseAmount, stake, type TxResult, unstake, withdrawStake } from '@arc/client';
import { formatAmount, formatDuration } from '@arc/ui';
import { z } from 'zod';
import { nodeClient } from '../node-client.ts';
import type { WalletContextValue } from '../wallet-provider.tsx';

export type StakeKind = 'stake' | 'unstake' | 'withdraw';

/** The ledger's native token and the chain's rules a staking transaction is checked against before it is signed. */
export interface StakeChain {
  symbol: string;
  decimals: number;
  fee: bigint;
  unbondingMs: number;
}

/** What the account holds: its balance, bonded stake, what has finished unbonding, and the next amount to. */
export interface StakeHoldings {
  balance: bigint;
  bonded: bigint;
  ready: bigint;
  /** The unbonding amount free soonest, and when (null when nothing is unbonding). */
  next: { amount: bigint; releaseAtMs: number } | null;
  /** The bond the account's component names need (names × the chain's publishStake); it cannot be unstaked. */
  nameBond: bigint;
}

/** A moment in the reader's time zone, for release times ("Dec 4, 2026, 9:20:47 PM"). */
export function formatLocalMoment(timeMs: number): string {
  return new Date(timeMs).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** An amount above 0, as typed (spaces and thousands commas allowed). */
export function parseStakeAmount(text: string, decimals: number): bigint | string {
  const cleaned = text.trim().replaceAll(',', '');
  const parsed = z.string().min(1, 'Type an amount.').safeParse(cleaned);
  if (!parsed.success) return parsed.error.issues[0]?.message ?? 'Type an amount.';
  try {
    const value = parseAmount(parsed.data, decimals);
    return value > 0n ? value : 'Type an amount above zero.';
  } catch {
    return `Type a number like 1.5 (at most ${decimals} digits after the point).`;
  }
}

/** Why the ledger would refuse this, said before anything is signed (with the amounts in ABT), or null. */
export function stakeRefusal(kind: StakeKind, amount: bigint, chain: StakeChain, held: StakeHoldings): ClientError | null {
  const t = (value: bigint) => `${formatAmount(value, chain.decimals)} ${chain.symbol}`;
  if (held.balance < chain.fee + (kind === 'stake' ? amount : 0n)) {
    return new ClientError(
      'INSUFFICIENT_FUNDS',
      kind === 'stake'
        ? `You have ${t(held.balance)}; staking ${t(amount)} plus the ${t(chain.fee)} fee needs more.`
        : `You have ${t(held.balance)}; the fee is ${t(chain.fee)}.`,
    );
  }
  if (kind === 'unstake' && amount > held.bonded) {
    return new ClientError('INSUFFICIENT_STAKE', `You have ${t(held.bonded)} bonded; unstake at most that.`);
  }
  if (kind === 'unstake' && held.bonded - amount < held.nameBond) {
    const free = held.bonded > held.nameBond ? held.bonded - held.nameBond : 0n;
    return new ClientError(
      'STAKE_TOO_LOW',
      `${t(held.nameBond)} of your bond backs your component names; unstake at most ${t(free)}, or transfer names away first.`,
    );
  }
  if (kind === 'withdraw' && held.ready === 0n) {
    return new ClientError(
      'NOTHING_TO_WITHDRAW',
      held.next
        ? `The first ${t(held.next.amount)} is free at ${formatLocalMoment(held.next.releaseAtMs)}.`
        : 'Nothing is unbonding: unstake first, then withdraw once the unbonding delay has passed.',
    );
  }
  return null;
}

/** Signs and sends a staking transaction after the wallet's consent dialog says what it does. */
export function sendStakeTx(wallet: WalletContextValue, kind: StakeKind, amount: bigint, chain: StakeChain): Promise<TxResult> {
  const t = (value: bigint) => `${formatAmount(value, chain.decimals)} ${chain.symbol}`;
  const delay = formatDuration(chain.unbondingMs);
  const fee = { label: 'Fee', value: `${t(chain.fee)}, paid by you` };
  const shown = {
    stake: {
      title: `Stake ${t(amount)}`,
      what: `${t(amount)} leave your balance and are bonded: stake counts for publishing and for running services, and can be slashed for misbehaviour`,
    },
    unstake: {
      title: `Unstake ${t(amount)}`,
      what: `${t(amount)} stop being bonded and unbond for ${delay} (still slashable); then you can withdraw them to your balance`,
    },
    withdraw: {
      title: `Withdraw ${t(amount)} of stake`,
      what: `${t(amount)} that finished unbonding come back to your balance`,
    },
  }[kind];
  const itx: Itx = kind === 'stake' ? stake({ amount }) : kind === 'unstake' ? unstake({ amount }) : withdrawStake();
  return wallet.signWithConsent({
    title: shown.title,
    details: [{ label: 'What happens', value: shown.what }, fee],
    sign: (signer) => nodeClient().submit(signer, itx, { fee: chain.fee }),
  });
}
