import { isValidDid } from '@arc/core';
import { z } from 'zod';

/** The economy's procedures: inputs parsed here, outputs stated so the web app's types stay small. Amounts are decimal strings. */

const Did = z.string().max(64).refine(isValidDid, 'not a did:abt: DID; copy it from the console or the explorer');
const Amount = z.string().regex(/^\d+$/);

export const DidIn = z.strictObject({ did: Did });

export const BillingOut = z.object({
  application: z.string(),
  /** False when billing is not open for this DID (the other fields are then zero). */
  open: z.boolean(),
  owner: z.string(),
  deposit: Amount,
  /** Fees accrued since the last settlement, and settled payouts not yet paid. */
  feesOwed: Amount,
  unpaid: Amount,
  status: z.enum(['active', 'grace', 'suspended', 'closed']),
  /** When a grace period ends (0 when the application is not in arrears). */
  graceEndsAtMs: z.number(),
  billingPeriodMs: z.number(),
  currentPeriod: z.number(),
  /** The first period not settled yet. */
  nextPeriod: z.number(),
  /** Metered so far in the current period (not yet billed). */
  accruing: Amount,
  /** What to do, in a sentence, when the application is in grace or suspended. */
  notice: z.string().nullable(),
});

export const InvoicesIn = z.strictObject({
  did: Did,
  beforePeriod: z.number().int().nonnegative().optional(),
  limit: z.number().int().min(1).max(50).default(12),
});

export const InvoiceSummary = z.object({
  period: z.number(),
  startMs: z.number(),
  endMs: z.number(),
  metered: Amount,
  /** Set once settled: what the settlement charged (metered lines plus fees) and whether the deposit covered it. */
  charged: Amount.nullable(),
  paid: z.boolean().nullable(),
  status: z.enum(['open', 'billing', 'settled', 'unpaid']),
  txHash: z.string().nullable(),
});

export const InvoicesOut = z.object({ items: z.array(InvoiceSummary), nextBeforePeriod: z.number().nullable() });

export const InvoiceIn = z.strictObject({ did: Did, period: z.number().int().nonnegative() });

export const InvoiceLine = z.object({
  /** UTC day (YYYY-MM-DD). */
  day: z.string(),
  kind: z.enum(['component', 'node', 'fees']),
  payee: z.string(),
  quantity: z.number(),
  unit: z.string(),
  amount: Amount,
});

export const InvoiceOut = InvoiceSummary.extend({ application: z.string(), lines: z.array(InvoiceLine) });

export const SupplyOut = z.object({
  total: Amount,
  circulating: Amount,
  staked: Amount,
  deposits: Amount,
  publishStakes: Amount,
  bridgeLocked: Amount,
  treasury: Amount,
  treasuryDid: z.string(),
  bridgeEscrowDid: z.string(),
});

export const StakeOut = z.object({
  did: z.string(),
  bonded: Amount,
  unbonding: z.array(z.object({ amount: Amount, releaseAtMs: z.number() })),
  /** What withdrawStake would move to the balance now. */
  withdrawable: Amount,
  slashed: Amount,
  unbondingMs: z.number(),
  /** Component names the account owns that its bond backs, and the bond each needs (the chain's publishStake). */
  names: z.number(),
  publishStake: Amount,
});

export const EvidenceIn = z.strictObject({
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'the sha-256 of the evidence, 64 lower-case hex digits'),
});
export const EvidenceOut = z.object({ hash: z.string(), text: z.string().nullable() });
