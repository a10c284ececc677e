import { describe, expect, it } from 'vitest';
import { PROPOSAL_SIZE_LIMITS, ProposalSize } from './proposal-size.ts';

const L = PROPOSAL_SIZE_LIMITS;

describe('the size of the next proposal', () => {
  it('starts at the most, halves after each empty attempt down to the least, and doubles after each decided block', () => {
    const size = new ProposalSize(2_000);
    expect(size.txs).toBe(L.txsMax);
    size.emptyAttempt();
    expect(size.txs).toBe(L.txsMax / 2);
    for (let i = 0; i < 20; i += 1) size.emptyAttempt();
    expect(size.txs).toBe(L.txsMin);
    size.decided();
    expect(size.txs).toBe(L.txsMin * 2);
    for (let i = 0; i < 20; i += 1) size.decided();
    expect(size.txs).toBe(L.txsMax);
  });

  it('carries no more than a build and a check here fit in their share of the block wait', () => {
    const size = new ProposalSize(2_000);
    // 2 ms a transaction: a build and a check of N take 4N ms, within 0.6 × 2,000 ms for N = 300.
    size.observe(1_000, 2_000);
    expect(size.txs).toBe(Math.floor((2_000 * L.checkShare) / (2 * 2)));
    // Cheaper checks since: the average moves toward them and the size grows, never past the most.
    for (let i = 0; i < 50; i += 1) size.observe(1_000, 10);
    expect(size.txs).toBe(L.txsMax);
    // A tiny block says nothing about the cost per transaction.
    size.observe(3, 3_000);
    expect(size.txs).toBe(L.txsMax);
  });
});
