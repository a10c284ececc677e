/**
 * BA*'s parameters. The paper's (SOSP 2017, §10) are for tens of thousands of users: a step committee of τ = 2,000
 * expected sub-users with a threshold of 68.5 %, a final committee of τ = 10,000 with 74 %. A network of 4–50 nodes
 * has far fewer units of stake than that, so the defaults here make every unit of stake a committee member
 * (τ_step = τ_final = the total stake: sortition then selects each node with all its weight) and keep the paper's
 * structure, thresholds above two thirds and its timeouts scaled to a loopback or LAN network. README.md in this
 * folder gives the safety argument for these choices and how to move to sampled committees on a large network.
 */

/** A fraction as two integers, so that every node compares weights exactly: `weight * den > total * num`. */
export interface Fraction {
  num: number;
  den: number;
}

export interface ConsensusParams {
  /** Expected proposers per attempt, in sub-users (the paper's τ_proposer = 26). */
  tauProposer: number;
  /** Expected sub-users in each step's committee; `null`: the whole stake (every node votes with all its weight). */
  tauStep: number | null;
  /** Expected sub-users in the final committee; `null`: the whole stake. */
  tauFinal: number | null;
  /** A value wins a step when its votes' weight is above this share of the committee (paper: 0.685). */
  thresholdStep: Fraction;
  /** A block is final when its final votes' weight is above this share (paper: 0.74). */
  thresholdFinal: Fraction;
  /** Binary BA* steps before a node reports the attempt stuck (paper: 150); it keeps going after, re-sending its votes. */
  maxSteps: number;
  /** How long a node gathers proposals before it votes (the paper's λ_priority + λ_stepvar). */
  proposalWaitMs: number;
  /** How much longer it waits for the best proposal to be validated (the paper's λ_block). */
  blockWaitMs: number;
  /** How long one step waits for a value to pass its threshold (the paper's λ_step). */
  stepWaitMs: number;
  /** While undecided, a node re-sends its votes of the current attempt this often (lost messages, healed partitions). */
  resendEveryMs: number;
}

/** For a small network on a LAN or loopback: whole-stake committees, thresholds above two thirds, sub-second steps. */
export const SMALL_NETWORK_PARAMS: ConsensusParams = {
  tauProposer: 5,
  tauStep: null,
  tauFinal: null,
  thresholdStep: { num: 2, den: 3 },
  thresholdFinal: { num: 2, den: 3 },
  maxSteps: 150,
  proposalWaitMs: 150,
  blockWaitMs: 2_000,
  stepWaitMs: 1_000,
  resendEveryMs: 1_000,
};

/** True when `weight` is above `share` of `total`. */
export function passes(weight: number, total: number, share: Fraction): boolean {
  return weight * share.den > total * share.num;
}
