import {
  Agreement,
  type ConsensusMessage,
  committeeOf,
  type Effect,
  type HeightContext,
  keyPairFromSeed,
  MemoVoteChecker,
  SMALL_NETWORK_PARAMS,
  sha3,
  toHex,
  utf8,
  VrfMemo,
} from '@arc/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { installNodeCrypto } from '../ledger/node-crypto.ts';
import { AgreementInbox } from './inbox.ts';

const params = SMALL_NETWORK_PARAMS;
const keys = [1, 2, 3, 4].map((i) => keyPairFromSeed(new Uint8Array(32).fill(40 + i)));
const committee = committeeOf(keys.map((k) => ({ publicKey: k.publicKey, weight: 1 })));
const ctx: HeightContext = { height: 1, prevHash: sha3(utf8('inbox test')), seed: sha3(utf8('inbox test seed')), committee };
const vrf = new VrfMemo();
beforeAll(() => installNodeCrypto());

/** How a node that was busy takes in what arrived meanwhile when its timer finally runs (`handle` carries out effects). */
type Wake = (inbox: AgreementInbox, agreement: Agreement, handle: (effects: Effect[]) => void) => void;
const inboxFirst: Wake = (inbox, _agreement, handle) => handle(inbox.wake());
/**
 * What the driver did before the inbox: the timer's job ran first and carried out what it led to (building its own
 * block, voting), and the messages that had arrived meanwhile were handed in by the jobs queued behind it.
 */
const timerFirst: Wake = (inbox, agreement, handle) => {
  handle(agreement.tick(inbox.clock()));
  handle(inbox.take());
};

/**
 * Agreements of a four-member committee deciding height 1 on a perfect network, the clock in 10 ms steps; member
 * `down` (if any) is off, so the others need every vote. Node `busy` (if any) hears every message in time, into its
 * inbox, but runs nothing from its start until `wakeMs` (a block committing, a starved CPU); then it wakes as `wake`
 * says and takes messages in as they come. Answers what each node sent.
 */
function height1(busy: number | null, down: number | null, wakeMs: number, wake: Wake) {
  let nowMs = 0;
  const nodes = keys.map((k) => new Agreement(params, k, new MemoVoteChecker(vrf), vrf.sortitionFunctions()));
  const up = nodes.flatMap((_, i) => (i === down ? [] : [i]));
  const inbox = busy === null ? null : new AgreementInbox(nodes[busy] as Agreement, () => nowMs);
  const sent: { from: number; message: ConsensusMessage }[] = [];
  const queue: { to: number; message: ConsensusMessage }[] = [];
  const decided = new Set<number>();
  const handle = (i: number, effects: Effect[]): void => {
    const node = nodes[i] as Agreement;
    for (const e of effects) {
      if (e.kind === 'send') {
        sent.push({ from: i, message: e.message });
        for (const j of up) if (j !== i) queue.push({ to: j, message: e.message });
      } else if (e.kind === 'propose') {
        const payload = utf8(`block ${e.height}/${e.attempt} by ${i}`);
        handle(i, node.proposal(e.height, e.attempt, payload, sha3(payload), nowMs));
      } else if (e.kind === 'validate') {
        handle(i, node.validated(e.proposal.height, e.proposal.value, true, nowMs));
      } else if (e.kind === 'decided') {
        decided.add(i);
      }
    }
  };
  for (const i of up) handle(i, (nodes[i] as Agreement).start(ctx, nowMs));
  while (decided.size < up.length && nowMs < 20_000) {
    while (queue.length > 0) {
      const { to, message } = queue.shift() as { to: number; message: ConsensusMessage };
      if (to !== busy) handle(to, (nodes[to] as Agreement).receive(message, nowMs));
      else if ((inbox as AgreementInbox).push(message) && nowMs >= wakeMs) handle(to, (inbox as AgreementInbox).take());
    }
    nowMs += 10;
    for (const i of up) {
      const node = nodes[i] as Agreement;
      if (i !== busy) handle(i, node.tick(nowMs));
      else if (nowMs === wakeMs) wake(inbox as AgreementInbox, node, (effects) => handle(i, effects));
      else if (nowMs > wakeMs) handle(i, (inbox as AgreementInbox).wake());
    }
  }
  const firstSoftVote = (i: number) =>
    sent.find((s) => s.from === i && s.message.kind === 'vote' && s.message.step === 1)?.message as { value: Uint8Array } | undefined;
  const proposals = sent.filter((s) => s.message.kind === 'proposal');
  return { firstSoftVote, proposals, decided };
}

describe('the consensus inbox', () => {
  it('has a node that wakes late judge its waits with the messages that arrived in time: it votes the top block, not its own', () => {
    const quiet = height1(null, null, 0, inboxFirst);
    expect(quiet.decided.size).toBe(4);
    // Only the top proposer builds when every member is heard in time.
    expect(quiet.proposals).toHaveLength(1);
    const top = quiet.proposals[0] as { from: number; message: ConsensusMessage & { value: Uint8Array } };
    const topValue = toHex(top.message.value);
    const busy = (top.from + 1) % keys.length;
    // A member off, so the height needs the busy node's votes.
    const down = (top.from + 2) % keys.length;
    // Busy from its start until well past the proposal wait (a 400 ms commit): the credentials and the top block came meanwhile.
    const wakeMs = params.proposalWaitMs + 450;
    const late = height1(busy, down, wakeMs, inboxFirst);
    expect(late.decided.size).toBe(3);
    expect(toHex(late.firstSoftVote(busy)?.value ?? new Uint8Array())).toBe(topValue);
    expect(late.proposals.map((p) => p.from)).toEqual([top.from]);
    // The order matters: judging the timer first, the node finds the wait over with only its own credential, builds
    // its own block and votes it.
    const timerLate = height1(busy, down, wakeMs, timerFirst);
    expect(toHex(timerLate.firstSoftVote(busy)?.value ?? new Uint8Array())).not.toBe(topValue);
  });

  it('never moves the agreement clock back: a message that arrived earlier than the last time handed in counts at that time', () => {
    let nowMs = 1_000;
    const seen: number[] = [];
    const agreement = {
      receive: (_m: ConsensusMessage, atMs: number): Effect[] => {
        seen.push(atMs);
        return [];
      },
      tick: (atMs: number): Effect[] => {
        seen.push(atMs);
        return [];
      },
    };
    const inbox = new AgreementInbox(agreement, () => nowMs);
    const message = { height: 1 } as ConsensusMessage;
    expect(inbox.push(message)).toBe(true);
    nowMs = 1_500;
    expect(inbox.push(message)).toBe(false);
    expect(inbox.hasAbove(0)).toBe(true);
    expect(inbox.hasAbove(1)).toBe(false);
    nowMs = 2_000;
    expect(inbox.clock()).toBe(2_000);
    inbox.wake();
    expect(seen).toEqual([2_000, 2_000, 2_000]);
    expect(inbox.size).toBe(0);
    nowMs = 2_600;
    inbox.push(message);
    nowMs = 2_700;
    inbox.wake();
    expect(seen.slice(3)).toEqual([2_600, 2_700]);
  });
});
