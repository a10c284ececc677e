/**
 * The votes one attempt has counted, step by step: each voter once per step (a second vote from the same voter at a
 * step — a double vote — is ignored and reported), the weight behind each value, and the common coin's lowest hash.
 */
import { compareBytes, concatBytes, toHex } from '../bytes.ts';
import { sha3 } from '../crypto/provider.ts';
import { Writer } from '../encoding/codec.ts';
import type { Vote } from './messages.ts';

interface StepVotes {
  byVoter: Map<string, Vote>;
  weightByValue: Map<string, number>;
  votesByValue: Map<string, Vote[]>;
  /** Each counted vote's VRF output and sub-users, for the common coin (votes without a VRF output add nothing). */
  draws: { hash: Uint8Array; subUsers: number }[];
}

export type TallyResult = 'counted' | 'repeat' | 'double';

export class AttemptTally {
  private readonly steps = new Map<number, StepVotes>();

  private stepOf(step: number): StepVotes {
    let votes = this.steps.get(step);
    if (!votes) {
      votes = { byVoter: new Map(), weightByValue: new Map(), votesByValue: new Map(), draws: [] };
      this.steps.set(step, votes);
    }
    return votes;
  }

  /** True when this exact vote (voter, step, value) was counted already: nothing to check again. */
  sameVote(vote: Vote): boolean {
    const earlier = this.steps.get(vote.step)?.byVoter.get(toHex(vote.voter));
    return earlier !== undefined && toHex(earlier.value) === toHex(vote.value);
  }

  /**
   * Counts a checked vote with its sub-users; a voter's second vote at a step is not counted. `vrfHash` is the vote's
   * VRF output, null for a vote that needs no sortition proof (a whole-stake committee outside the coin's steps).
   */
  add(vote: Vote, subUsers: number, vrfHash: Uint8Array | null): TallyResult {
    const s = this.stepOf(vote.step);
    const voter = toHex(vote.voter);
    const earlier = s.byVoter.get(voter);
    if (earlier) return toHex(earlier.value) === toHex(vote.value) ? 'repeat' : 'double';
    s.byVoter.set(voter, vote);
    const value = toHex(vote.value);
    s.weightByValue.set(value, (s.weightByValue.get(value) ?? 0) + subUsers);
    const list = s.votesByValue.get(value) ?? [];
    list.push(vote);
    s.votesByValue.set(value, list);
    if (vrfHash) s.draws.push({ hash: vrfHash, subUsers });
    return 'counted';
  }

  /** The value (hex) whose weight at the step is highest, with that weight and its votes. */
  leader(step: number): { value: string; weight: number; votes: Vote[] } | null {
    const s = this.steps.get(step);
    if (!s) return null;
    let best: { value: string; weight: number; votes: Vote[] } | null = null;
    for (const [value, weight] of s.weightByValue) {
      if (!best || weight > best.weight || (weight === best.weight && value < best.value)) {
        best = { value, weight, votes: s.votesByValue.get(value) ?? [] };
      }
    }
    return best;
  }

  /**
   * The common coin of a step (paper §7.4): the last bit of the lowest H(vrf output ‖ i) over every counted sub-user i,
   * 0 with no votes. Drawn only when asked (a step that timed out): a vote of a whole-stake committee weighs a sub-user
   * per unit of stake, a hash each.
   */
  coin(step: number): number {
    let lowest: Uint8Array | null = null;
    for (const { hash, subUsers } of this.steps.get(step)?.draws ?? []) {
      for (let i = 1; i <= subUsers; i += 1) {
        const h = sha3(concatBytes(hash, new Writer().uint(i).finish()));
        if (!lowest || compareBytes(h, lowest) < 0) lowest = h;
      }
    }
    return lowest ? (lowest[31] as number) & 1 : 0;
  }

  /** Votes counted at every step, for the status page. */
  counts(): Map<number, number> {
    return new Map([...this.steps].map(([step, s]) => [step, s.byVoter.size]));
  }
}
