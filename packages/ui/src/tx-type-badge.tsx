import type { ItxType } from '@arc/core';
import { Badge, type BadgeTone } from './badge.tsx';

const txTypes: Record<ItxType, { label: string; tone: BadgeTone }> = {
  transfer: { label: 'Transfer', tone: 'indigo' },
  declareAccount: { label: 'Declare account', tone: 'neutral' },
  createToken: { label: 'Create token', tone: 'violet' },
  createAsset: { label: 'Create asset', tone: 'sky' },
  updateAsset: { label: 'Update asset', tone: 'sky' },
  consumeAsset: { label: 'Consume asset', tone: 'amber' },
  delegate: { label: 'Delegate', tone: 'emerald' },
  revokeDelegation: { label: 'Revoke delegation', tone: 'red' },
  deployBlocklet: { label: 'Deploy blocklet', tone: 'violet' },
  publishComponent: { label: 'Publish component', tone: 'violet' },
  transferComponent: { label: 'Transfer component', tone: 'indigo' },
  deprecateVersion: { label: 'Deprecate version', tone: 'amber' },
  reviewComponent: { label: 'Review', tone: 'emerald' },
  replyReview: { label: 'Reply to review', tone: 'emerald' },
  reportAbuse: { label: 'Report abuse', tone: 'red' },
  resolveReport: { label: 'Resolve report', tone: 'neutral' },
  recordUsage: { label: 'Record usage', tone: 'sky' },
  stake: { label: 'Stake', tone: 'violet' },
  unstake: { label: 'Unstake', tone: 'violet' },
  withdrawStake: { label: 'Withdraw stake', tone: 'violet' },
  slash: { label: 'Slash', tone: 'red' },
  openApplication: { label: 'Open billing', tone: 'emerald' },
  fundApplication: { label: 'Fund application', tone: 'emerald' },
  withdrawDeposit: { label: 'Withdraw deposit', tone: 'emerald' },
  settle: { label: 'Settlement', tone: 'sky' },
  issueToken: { label: 'Issue token', tone: 'amber' },
  mintToken: { label: 'Mint token', tone: 'amber' },
  burnToken: { label: 'Burn token', tone: 'amber' },
  bridgeLock: { label: 'Bridge to Ethereum', tone: 'sky' },
  bridgeRelease: { label: 'Bridge from Ethereum', tone: 'sky' },
};

/** A transaction's type as a colored label; a type this build does not know is shown as sent. */
export function TxTypeBadge({ type }: { type: ItxType | (string & {}) }) {
  const known = (txTypes as Record<string, { label: string; tone: BadgeTone } | undefined>)[type];
  return <Badge tone={known?.tone ?? 'neutral'}>{known?.label ?? type}</Badge>;
}
