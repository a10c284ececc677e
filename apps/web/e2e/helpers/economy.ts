/**
 * The e2e chain's token economy (its genesis `params.economy`, set by testing/live-node.ts): seconds where the dev
 * chain has days, so a journey sees a billing period settled and unstaked ABT come free within one test.
 */
export const E2E_ECONOMY = { billingPeriodMs: 20_000, graceMs: 20_000, unbondingMs: 30_000 } as const;
