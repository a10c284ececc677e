import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual, compareBytes, toHex, utf8 } from '../bytes.ts';
import { keyPairFromSeed } from '../crypto/keys.ts';
import { installNodeCrypto } from '../crypto/node-provider.ts';
import { cryptoProvider, sha3, useCryptoProvider } from '../crypto/provider.ts';
import { Agreement, type Effect } from './agreement.ts';
import type { HeightContext } from './certificate.ts';
import { MemoVoteChecker, VrfMemo } from './crypto-memo.ts';
import {
  BINARY_FIRST,
  type Certificate,
  type ConsensusMessage,
  EMPTY_VALUE,
  FINAL_STEP,
  type Proposal,
  signProposal,
  type Vote,
} from './messages.ts';
import { SMALL_NETWORK_PARAMS } from './params.ts';
import { committeeOf, proposerPriority, runSortition, sortitionAlpha } from './sortition.ts';

const params = SMALL_NETWORK_PARAMS;
const keys = [1, 2, 3, 4].map((i) => keyPairFromSeed(new Uint8Array(32).fill(i)));
const committee = committeeOf(keys.map((k) => ({ publicKey: k.publicKey, weight: 1 })));
const genesis: HeightContext = { height: 1, prevHash: sha3(utf8('genesis')), seed: sha3(utf8('seed')), committee };
/** Memoized VRF and vote checks (the simulator's) keep the tests quick; the first test runs the default checks. */
const vrf = new VrfMemo();
const memoized = { checker: new MemoVoteChecker(vrf), sortitions: vrf.sortitionFunctions() };
const before = cryptoProvider();
beforeAll(() => installNodeCrypto());
afterAll(() => useCryptoProvider(before));

interface Decision {
  height: number;
  value: string;
  final: boolean;
}

/**
 * Four machines on a perfect network: every message reaches every other node at once, the clock moves 10 ms at a time,
 * blocks are valid unless `valid` says otherwise, and `deliver` may hold a message back from a node.
 */
class Loop {
  readonly nodes: Agreement[];
  readonly decisions: Decision[][] = keys.map(() => []);
  readonly sent: { from: number; message: ConsensusMessage }[] = [];
  readonly effects: Effect[][] = keys.map(() => []);
  readonly ctx: HeightContext[] = keys.map(() => genesis);
  nowMs = 0;
  private queue: { to: number; message: ConsensusMessage }[] = [];

  constructor(
    private readonly valid: (p: Proposal) => boolean = () => true,
    private readonly deliver: (to: number, m: ConsensusMessage) => boolean = () => true,
    crypto: typeof memoized | null = memoized,
  ) {
    this.nodes = keys.map((k) => (crypto ? new Agreement(params, k, crypto.checker, crypto.sortitions) : new Agreement(params, k)));
  }

  start(): void {
    for (const [i, n] of this.nodes.entries()) this.handle(i, n.start(genesis, this.nowMs));
  }

  handle(i: number, effects: Effect[]): void {
    const node = this.nodes[i] as Agreement;
    for (const e of effects) {
      this.effects[i]?.push(e);
      if (e.kind === 'send') {
        this.sent.push({ from: i, message: e.message });
        for (let j = 0; j < keys.length; j += 1) if (j !== i) this.queue.push({ to: j, message: e.message });
      } else if (e.kind === 'propose') {
        const payload = utf8(`block ${e.height}/${e.attempt} by ${i}`);
        this.handle(i, node.proposal(e.height, e.attempt, payload, sha3(payload), this.nowMs));
      } else if (e.kind === 'validate') {
        this.handle(i, node.validated(e.proposal.height, e.proposal.value, this.valid(e.proposal), this.nowMs));
      } else if (e.kind === 'decided') {
        this.decisions[i]?.push({ height: e.height, value: toHex(e.value), final: e.final });
        const next = { ...genesis, height: e.height + 1, prevHash: e.value, seed: sha3(e.value) };
        this.ctx[i] = next;
        this.handle(i, node.start(next, this.nowMs));
      }
    }
  }

  /** Delivers what is queued, then moves the clock; until `done` or the time is up. */
  run(done: () => boolean, untilMs: number): void {
    while (!done() && this.nowMs < untilMs) {
      // Checked between deliveries too: on a network this perfect, a height needs no clock at all once every node has
      // heard every credential, so heights follow one another without the clock moving.
      while (this.queue.length > 0 && !done()) {
        const { to, message } = this.queue.shift() as { to: number; message: ConsensusMessage };
        if (this.deliver(to, message)) this.handle(to, (this.nodes[to] as Agreement).receive(message, this.nowMs));
      }
      this.nowMs += 10;
      for (const [i, n] of this.nodes.entries()) this.handle(i, n.tick(this.nowMs));
    }
  }
}

describe('Agreement (four machines, no simulator)', () => {
  it('four nodes decide the same final block at each of two heights (default VRF and vote checks)', () => {
    const loop = new Loop(undefined, undefined, null);
    loop.start();
    loop.run(() => loop.decisions.every((d) => d.length >= 2), 30_000);
    for (let h = 0; h < 2; h += 1) {
      const values = loop.decisions.map((d) => d[h]);
      expect(values.every((v) => v?.final && v.height === h + 1 && v.value === values[0]?.value)).toBe(true);
    }
  });

  it('waits for the block of the best proposer it holds a credential from, instead of voting the first it has', () => {
    // All four propose at height 1, attempt 0; node 3 has the highest priority. Nodes 0 and 1 get node 3's block only
    // when node 3 re-sends it (resendEveryMs later). Voting the best block in hand at the proposal wait, they would
    // vote their own and the attempt would end empty; holding node 3's credential, they wait for its block.
    let nowMs = 0;
    const top = keys[3] as (typeof keys)[number];
    const held = (to: number, m: ConsensusMessage) =>
      to <= 1 && m.kind === 'proposal' && bytesEqual(m.proposer, top.publicKey) && nowMs < params.resendEveryMs / 2;
    const loop = new Loop(undefined, (to, m) => !held(to, m));
    const firstVote = (i: number) =>
      loop.sent.find((s) => s.from === i && s.message.kind === 'vote' && s.message.height === 1 && s.message.step === 1)?.message as Vote;
    loop.start();
    loop.run(() => {
      nowMs = loop.nowMs;
      return loop.decisions.every((d) => d.length >= 1);
    }, 10_000);
    const topBlock = loop.sent.find((s) => s.message.kind === 'proposal' && bytesEqual(s.message.proposer, top.publicKey))
      ?.message as Proposal;
    expect(loop.sent.filter((s) => s.message.kind === 'credential' && s.message.height === 1)).toHaveLength(4);
    for (const i of [0, 1, 2, 3]) expect(toHex(firstVote(i).value), `node ${i}`).toBe(toHex(topBlock.value));
    expect(loop.decisions.map((d) => d[0]?.value)).toEqual(keys.map(() => toHex(topBlock.value)));
    expect(loop.effects.flat().some((e) => e.kind === 'empty')).toBe(false);
  });

  it('has only the top proposer build its block once every member is heard from; one below builds when that block never comes', () => {
    // Every member is chosen at height 1 (weight 1 each, τ_proposer 5): each would execute a block nobody votes for.
    const proposers = (loop: Loop) =>
      loop.effects.flatMap((effects, i) => (effects.some((e) => e.kind === 'propose' && e.height === 1 && e.attempt === 0) ? [i] : []));
    const decidedAll = (loop: Loop) => () => loop.decisions.every((d) => d.length >= 1);
    const quiet = new Loop();
    quiet.start();
    quiet.run(decidedAll(quiet), 10_000);
    expect(proposers(quiet)).toHaveLength(1);
    const top = proposers(quiet)[0] as number;
    const built = quiet.sent.find((s) => s.message.kind === 'proposal' && s.message.height === 1)?.message as Proposal;
    expect(quiet.decisions.map((d) => d[0]?.value)).toEqual(keys.map(() => toHex(built.value)));
    // The same attempt with the top proposer's block lost on the way (it stopped after its credential): the others
    // build as a fallback, halfway through the block wait, and the height is still decided at that attempt.
    const topKey = keys[top] as (typeof keys)[number];
    const lost = new Loop(undefined, (_to, m) => !(m.kind === 'proposal' && bytesEqual(m.proposer, topKey.publicKey)));
    lost.start();
    lost.run(decidedAll(lost), 20_000);
    expect(proposers(lost).length).toBeGreaterThan(1);
    const values = lost.decisions.map((d) => d[0]?.value);
    expect(new Set(values).size).toBe(1);
    expect(lost.effects.flat().some((e) => e.kind === 'empty')).toBe(false);
  });

  it('ends an attempt with no block when no proposal is valid, and agrees in the next attempt', () => {
    const loop = new Loop((p) => p.attempt > 0);
    loop.start();
    loop.run(() => loop.decisions.every((d) => d.length >= 1), 30_000);
    expect(loop.effects.every((effects) => effects.some((e) => e.kind === 'empty' && e.attempt === 0))).toBe(true);
    expect(new Set(loop.decisions.map((d) => d[0]?.value)).size).toBe(1);
  });

  it('sends the certificate that ended an attempt again to a peer still voting in it', () => {
    const loop = new Loop((p) => p.attempt > 0);
    loop.start();
    loop.run(() => loop.effects[0]?.some((e) => e.kind === 'empty') ?? false, 30_000);
    // A node that restarted at attempt 0 (it never saw the empty certificate) votes there.
    const late = new Agreement(params, keys[3]!, memoized.checker, memoized.sortitions);
    const lateOut = late.start(genesis, loop.nowMs);
    const lateVote = [...lateOut, ...late.tick(loop.nowMs + 5_000)].find((e) => e.kind === 'send' && e.message.kind === 'vote');
    expect(lateVote).toBeDefined();
    const answer = (loop.nodes[0] as Agreement).receive((lateVote as { message: Vote }).message, loop.nowMs + 5_000);
    const certificate = answer.find((e) => e.kind === 'send' && e.message.kind === 'certificate');
    expect(certificate).toBeDefined();
    const empty = (certificate as { message: Certificate }).message;
    expect(bytesEqual(empty.value, EMPTY_VALUE)).toBe(true);
    expect(late.receive(empty, loop.nowMs + 5_000).some((e) => e.kind === 'empty' && e.attempt === 0)).toBe(true);
    expect(late.status().attempt).toBe(1);
  });

  it('re-sends the certificate of the binary step that returned a block while it waits for the final count', () => {
    // Node 0 never hears a final-step vote: it returns the block at the first binary step and waits.
    const loop = new Loop(
      () => true,
      (to, m) => !(to === 0 && (m.kind === 'vote' || m.kind === 'certificate') && m.step === FINAL_STEP),
    );
    loop.start();
    loop.run(() => loop.nodes[0]?.status().phase === 'final', 30_000);
    const waitingSince = loop.nowMs;
    const resent = (loop.nodes[0] as Agreement).tick(waitingSince + params.resendEveryMs);
    const certificate = resent.find((e) => e.kind === 'send' && e.message.kind === 'certificate');
    expect(certificate).toBeDefined();
    expect((certificate as { message: Certificate }).message.step).toBe(BINARY_FIRST);
  });

  /** Node 0 alone, and the credential and block of each other member at height 1, attempt 0, by their priority. */
  function onePeerView() {
    const node = new Agreement(params, keys[0]!, memoized.checker, memoized.sortitions);
    const alpha = sortitionAlpha(genesis.seed, 'proposer', 1, 0, 0);
    const peers = [1, 2, 3].map((i) => {
      const key = keys[i]!;
      const s = runSortition(key.secretKey, { publicKey: key.publicKey, weight: 1 }, committee, params.tauProposer, alpha);
      const payload = utf8(`block by ${i}`);
      const slot = { height: 1, attempt: 0, prevHash: genesis.prevHash };
      return {
        priority: proposerPriority(s.hash, s.subUsers),
        credential: { kind: 'credential', ...slot, proposer: key.publicKey, proof: s.proof } as ConsensusMessage,
        proposal: signProposal({ ...slot, value: sha3(payload), proposer: key.publicKey, proof: s.proof, payload }, key.secretKey),
      };
    });
    peers.sort((a, b) => compareBytes(a.priority, b.priority));
    const own = {
      priority: proposerPriority(
        runSortition(keys[0]!.secretKey, { publicKey: keys[0]!.publicKey, weight: 1 }, committee, params.tauProposer, alpha).hash,
        1,
      ),
    };
    return { node, peers, ownIsTop: compareBytes(own.priority, peers[2]!.priority) > 0 };
  }

  it('checks only the best block, and votes at once when every member is heard from and that block is valid', () => {
    // Every member is chosen here (weight 1 each, τ_proposer 5): node 0 proposes too, so the top may be its own block.
    const { node, peers, ownIsTop } = onePeerView();
    const effects: Effect[] = [...node.start(genesis, 0)];
    const own = utf8('block by 0');
    effects.push(...node.proposal(1, 0, own, sha3(own), 1));
    for (const p of peers) effects.push(...node.receive(p.credential, 2));
    // Blocks arrive worst first: none below the top proposer's is checked while its block may still come.
    for (const [i, p] of peers.entries()) effects.push(...node.receive(p.proposal, 3 + i));
    const checks = effects.filter((e): e is Extract<Effect, { kind: 'validate' }> => e.kind === 'validate');
    const top = peers[2]!.proposal;
    expect(checks.map((c) => toHex(c.proposal.value))).toEqual(ownIsTop ? [] : [toHex(top.value)]);
    const after = ownIsTop ? [] : node.validated(1, top.value, true, 10);
    const firstVote = [...effects, ...after].find((e) => e.kind === 'send' && e.message.kind === 'vote') as { message: Vote } | undefined;
    expect(firstVote?.message.step).toBe(1);
    expect(toHex(firstVote?.message.value ?? new Uint8Array())).toBe(toHex(ownIsTop ? sha3(own) : top.value));
  });

  it('waits longer before voting while a member has not been heard from', () => {
    const { node, peers } = onePeerView();
    const out: Effect[] = [...node.start(genesis, 0)];
    const own = utf8('block by 0');
    out.push(...node.proposal(1, 0, own, sha3(own), 1));
    // Only the lowest-priority peer is heard from: two members are not, and may hold the top priority.
    out.push(...node.receive(peers[0]!.credential, 2), ...node.receive(peers[0]!.proposal, 3));
    const votes = (effects: Effect[]) => effects.filter((e) => e.kind === 'send' && e.message.kind === 'vote');
    expect(votes([...out, ...node.tick(params.proposalWaitMs + 1)])).toHaveLength(0);
    expect(votes(node.tick(2 * params.proposalWaitMs + 1)).length).toBeGreaterThan(0);
  });

  it('never votes for a block whose proposer equivocated, even when its check comes back valid later', () => {
    const node = new Agreement(params, keys[0]!);
    node.start(genesis, 0);
    const proposer = keys[1]!;
    const alpha = sortitionAlpha(genesis.seed, 'proposer', 1, 0, 0);
    const { proof } = runSortition(proposer.secretKey, { publicKey: proposer.publicKey, weight: 1 }, committee, params.tauProposer, alpha);
    const blockOf = (text: string) => {
      const payload = utf8(text);
      return signProposal(
        { height: 1, attempt: 0, prevHash: genesis.prevHash, value: sha3(payload), proposer: proposer.publicKey, proof, payload },
        proposer.secretKey,
      );
    };
    const first = blockOf('one block');
    // Past the proposal wait, so that the check is not deferred for this node's own (higher) priority.
    const t = params.proposalWaitMs + 1;
    expect(node.receive(first, t).some((e) => e.kind === 'validate')).toBe(true);
    expect(node.receive(blockOf('another block'), t + 10).some((e) => e.kind === 'equivocation')).toBe(true);
    node.validated(1, first.value, true, t + 20);
    const out = node.tick(params.proposalWaitMs + params.blockWaitMs + 10);
    const reductionVote = out.find((e) => e.kind === 'send' && e.message.kind === 'vote') as { message: Vote } | undefined;
    expect(reductionVote?.message.step).toBe(1);
    expect(bytesEqual(reductionVote?.message.value ?? first.value, EMPTY_VALUE)).toBe(true);
  });
});
