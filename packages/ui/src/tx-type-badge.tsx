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
};

/** A transaction's type as a colored label; a type this build does not know is shown as sent. */
export function TxTypeBadge({ type }: { type: ItxType | (string & {}) }) {
  const known = (txTypes as Record<string, { label: string; tone: BadgeTone } | undefined>)[type];
  return <Badge tone={known?.tone ?? 'neutral'}>{known?.label ?? type}</Badge>;
}
