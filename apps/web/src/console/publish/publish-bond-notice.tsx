'use client';

import { formatAmount } from '@arc/ui';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { explainError } from '../../components/explain-error.ts';
import { useTRPC } from '../../trpc/react.tsx';
import { newNameBond, STAKE_PAGE_HREF } from './publish-bond.ts';

/** True when the ledger refused a publish because the publisher's bonded stake is too low. */
export function isStakeTooLow(error: unknown): boolean {
  return error !== null && error !== undefined && explainError(error).code === 'STAKE_TOO_LOW';
}

function StakeLink() {
  return (
    <Link href={STAKE_PAGE_HREF} className="font-medium text-indigo-700 underline dark:text-indigo-300" data-testid="publish-stake-link">
      Stake on your wallet&rsquo;s stake page
    </Link>
  );
}

/**
 * What the publisher's bond covers before it signs, and, when the ledger refused the publish for too little bonded
 * stake, the node's sentence (how much to stake) with the way to the wallet's stake page.
 */
export function PublishBondNotice({ owner, error }: { owner: string | null; error: unknown }) {
  const trpc = useTRPC();
  const chain = useQuery(trpc.chain.info.queryOptions());
  const stake = useQuery({ ...trpc.economy.stake.queryOptions({ did: owner ?? '' }), enabled: owner !== null });

  if (isStakeTooLow(error)) {
    return (
      <div
        role="alert"
        data-error-code="STAKE_TOO_LOW"
        className="space-y-1 rounded-xl bg-amber-50 p-4 text-sm ring-1 ring-amber-200 dark:bg-amber-500/10 dark:ring-amber-500/30"
      >
        <p className="font-semibold text-amber-900 dark:text-amber-200">Your bonded stake does not cover a new name yet.</p>
        <p className="break-words text-amber-800 dark:text-amber-300" data-testid="publish-stake-refusal">
          The ledger says: {explainError(error).detail ?? explainError(error).what}
        </p>
        <p className="text-amber-800 dark:text-amber-300">
          <StakeLink />, then sign the publish again. The stake stays yours: it backs your names and can be unstaked once you own fewer.
        </p>
      </div>
    );
  }
  if (!chain.data || !stake.data) return null;
  const decimals = chain.data.nativeToken.decimals;
  const t = (value: bigint) => `${formatAmount(value, decimals)} ${chain.data.nativeToken.symbol}`;
  const bond = { bonded: BigInt(stake.data.bonded), names: stake.data.names, publishStake: BigInt(stake.data.publishStake) };
  const next = newNameBond(bond);
  if (next.short === 0n) {
    return (
      <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="publish-bond">
        Your {t(bond.bonded)} bonded covers {next.names === 1 ? 'a new name' : `${next.names} names`} ({t(bond.publishStake)} each).
      </p>
    );
  }
  return (
    <p className="text-sm text-amber-800 dark:text-amber-300" data-testid="publish-bond">
      A new name needs {t(next.required)} bonded for {next.names} {next.names === 1 ? 'name' : 'names'}; you have {t(bond.bonded)} bonded.{' '}
      <StakeLink /> ({t(next.short)} more) before publishing a new name; new versions of names you own need no more.
    </p>
  );
}
