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
  /** The lowest H(vrf output ‖ i) over every counted sub-user: its last bit is the step's common coin. */
  coinHash: Uint8Array | null;
}

export type TallyResult = 'counted' | 'repeat' | 'double';

export class AttemptTally {
  private readonly steps = new Map<number, StepVotes>();

  private stepOf(step: number): StepVotes {
    let votes = this.steps.get(step);
    if (!votes) {
      votes = { byVoter: new Map(), weightByValue: new Map(), votesByValue: new Map(), coinHash: null };
      this.steps.set(step, votes);
    }
    return votes;
  }

  /** True when this exact vote (voter, step, value) was counted already: nothing to check again. */
  sameVote(vote: Vote): boolean {
    const earlier = this.steps.get(vote.step)?.byVoter.get(toHex(vote.voter));
    return earlier !== undefined && toHex(earlier.value) === toHex(vote.value);
  }

  /** Counts a checked vote with its sub-users; a voter's second vote at a step is not counted. */
  add(vote: Vote, subUsers: number, vrfHash: Uint8Array): TallyResult {
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
    for (let i = 1; i <= subUsers; i += 1) {
      const h = sha3(concatBytes(vrfHash, new Writer().uint(i).finish()));
      if (!s.coinHash || compareBytes(h, s.coinHash) < 0) s.coinHash = h;
    }
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

  /** The common coin of a step (paper §7.4): 0 or 1 from the lowest sub-user hash seen, 0 with no votes. */
  coin(step: number): number {
    const hash = this.steps.get(step)?.coinHash;
    return hash ? (hash[31] as number) & 1 : 0;
  }

  /** Votes counted at every step, for the status page. */
  counts(): Map<number, number> {
    return new Map([...this.steps].map(([step, s]) => [step, s.byVoter.size]));
  }
}
