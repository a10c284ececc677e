/**
 * Consensus (BA*, packages/core/src/consensus) in the words the explorer shows: steps, phases, attempts, peer states,
 * and the weight a step needs. Shared by the block page (server) and the network page (client): the same text on both.
 */
import { BINARY_FIRST, FINAL_STEP, type Fraction, REDUCTION_ONE, REDUCTION_TWO, SMALL_NETWORK_PARAMS } from '@arc/core';

/** A step as people read it: "final step", "binary step 1", "reduction step 2"; step 0 is the proposal wait. */
export function stepName(step: number): string {
  if (step === FINAL_STEP) return 'final step';
  if (step >= BINARY_FIRST) return `binary step ${step - BINARY_FIRST + 1}`;
  if (step === REDUCTION_ONE || step === REDUCTION_TWO) return `reduction step ${step}`;
  return 'proposals';
}

/** A step with its number as the node counts it, when the two differ ("binary step 1 (step 3)"). */
export function stepNameWithNumber(step: number): string {
  const name = stepName(step);
  return step >= BINARY_FIRST && step !== FINAL_STEP ? `${name} (step ${step})` : name;
}

/** What a node is doing at a height, as a title and a line under it. */
export function phaseWords(phase: string, step: number): { title: string; hint: string } {
  switch (phase) {
    case 'proposal':
      return { title: 'Gathering proposals', hint: 'validators drawn by lot propose a block; the node waits for the best one' };
    case 'binary':
      return step < BINARY_FIRST
        ? { title: 'Reduction', hint: 'narrowing the proposals down to one block, or none' }
        : { title: 'Binary agreement', hint: 'voting "this block" or "no block" until more than 2/3 of the stake agrees' };
    case 'final':
      return { title: 'Final vote', hint: 'a block is decided; the validators vote on whether it is final' };
    case 'done':
      return { title: 'Decided', hint: 'the block is decided; the next height starts' };
    case 'idle':
      return { title: 'Waiting', hint: 'not agreeing on a block right now' };
    default:
      return { title: phase, hint: 'a phase this page does not know' };
  }
}

/** Attempts count from 0 on the wire; people count them from the first: 0 is "1st", 2 is "3rd". */
export function attemptOrdinal(attempt: number): string {
  const n = attempt + 1;
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n.toLocaleString('en-US')}${suffix}`;
}

/** Which attempt decided a height, and what became of those before it (each ended with no block). */
export function attemptWords(attempt: number): string {
  if (attempt === 0) return 'the first attempt';
  const before = attempt === 1 ? 'the one before it' : `the ${attempt.toLocaleString('en-US')} before it`;
  return `the ${attemptOrdinal(attempt)} attempt (${before} ended with no block)`;
}

/** A span in whole ms, one unit for a whole column ("982 ms", "12,904 ms"). */
export function formatMs(ms: number): string {
  return `${Math.round(ms).toLocaleString('en-US')} ms`;
}

/** The text with its first letter in upper case, to open a line. */
export function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The share of `total` a step's votes must weigh more than: the final step's, or the other steps'. */
export function thresholdOf(step: number): Fraction {
  return step === FINAL_STEP ? SMALL_NETWORK_PARAMS.thresholdFinal : SMALL_NETWORK_PARAMS.thresholdStep;
}

/** The least whole weight above `share` of `total` (weight × den > total × num). */
export function weightNeeded(total: number, share: Fraction): number {
  return Math.floor((total * share.num) / share.den) + 1;
}

/** A share of a whole as a percentage with at most one decimal ("25%", "66.7%"). */
export function percent(part: number, whole: number): string {
  if (whole <= 0) return '—';
  return `${(Math.round((part / whole) * 1000) / 10).toLocaleString('en-US')}%`;
}

export type PeerTone = 'good' | 'waiting' | 'bad' | 'unknown';

/** A gossip peer's state (connected, connecting, refused) as a dot's colour and a sentence on hover. */
export function peerState(state: string): { tone: PeerTone; hint: string } {
  switch (state) {
    case 'connected':
      return { tone: 'good', hint: 'connected and authenticated: votes and blocks flow both ways' };
    case 'connecting':
      return { tone: 'waiting', hint: 'dialing, or waiting to dial again' };
    case 'refused':
      return { tone: 'bad', hint: 'the last handshake was refused (see the last error)' };
    default:
      return { tone: 'unknown', hint: state };
  }
}

/** The node's counters, in the order and words the network page shows them; keys it does not know follow as they are. */
export const consensusCounters: { key: string; label: string; hint: string }[] = [
  { key: 'finalBlocks', label: 'Final blocks', hint: 'decided, and confirmed by the final step' },
  { key: 'tentativeBlocks', label: 'Tentative blocks', hint: 'decided, but the final step did not pass in time' },
  { key: 'emptyAttempts', label: 'Empty attempts', hint: 'attempts that ended with no block; another follows' },
  { key: 'caughtUp', label: 'Caught up', hint: 'blocks fetched from peers after falling behind' },
  { key: 'equivocations', label: 'Equivocations', hint: 'validators seen voting twice in one step' },
  { key: 'stuck', label: 'Stuck', hint: `attempts still undecided after ${SMALL_NETWORK_PARAMS.maxSteps} binary steps (they go on)` },
];
