import {
  type Committee,
  committeeOf,
  didFromPublicKey,
  encodeExecutorMessage,
  executorAlpha,
  executorPriority,
  type KeyPair,
  keyPairFromSeed,
  rankClaims,
  sha3,
  signExecutorResult,
  toHex,
  utf8,
} from '@arc/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExecutorElection } from './election.ts';
import type { Execution } from './store.ts';

/**
 * Four validators' elections wired to each other through an in-memory bus (messages arrive on a later turn, as over
 * gossip), with real keys, VRF proofs and the real ranking.
 */

const SEED = sha3(utf8('the seed after height 7'));
const SEED_HEIGHT = 7;
// Longer than deployed: the four nodes share one thread here, and each VRF proof or check takes milliseconds (tens on a
// busy machine), so a node could see its window end before the others' claims were checked. The window ends early
// once all four claims are in, so this costs time only where a test waits for it.
const TIMING = { claimWindowMs: 3_000, resultMarginMs: 500 };
const INVOCATION_TIMEOUT_MS = 4_000;

interface Validator {
  key: KeyPair;
  did: string;
  election: ExecutorElection;
  records: Execution[];
}

function network(weights: number[], options: { watches?: boolean } = {}) {
  const keys = weights.map((_, i) => keyPairFromSeed(new Uint8Array(32).fill(i + 11)));
  const committee = committeeOf(keys.map((k, i) => ({ publicKey: k.publicKey, weight: weights[i] as number })));
  const validators: Validator[] = [];
  const deliver = (from: number, bytes: Uint8Array) => {
    for (const [i, v] of validators.entries()) if (i !== from) setTimeout(() => v.election.receive(bytes), 1);
  };
  for (const [index, key] of keys.entries()) {
    const records: Execution[] = [];
    const election = new ExecutorElection({
      key,
      network: {
        committee,
        broadcastExecutor: (bytes) => deliver(index, bytes),
        seedAfterHeight: async (height) => (height === SEED_HEIGHT ? SEED : null),
      },
      store: { record: async (e) => void records.push(e) },
      now: Date.now,
      log: () => undefined,
      limits: TIMING,
    });
    if (options.watches) election.watches = () => true;
    validators.push({ key, did: didFromPublicKey(key.publicKey, 'node'), election, records });
  }
  return { committee, validators, deliver };
}

/** The validators in the order they should run an event (what every node computes from the proofs). */
function expectedOrder(committee: Committee, validators: Validator[], name: string, dedupKey: string): Validator[] {
  const alpha = executorAlpha(SEED, name, dedupKey);
  const ranked = validators.map((v) => ({
    v,
    publicKey: v.key.publicKey,
    priority: executorPriority(v.key.secretKey, committee.members.get(toHex(v.key.publicKey))!, committee, alpha).priority,
  }));
  return rankClaims(ranked).map((r) => r.v);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every validator decides; the one told to run reports an ok result with `output`. */
function decideAndRun(validators: Validator[], dedupKey: string, output: unknown, delayMs = new Map<Validator, number>()) {
  return Promise.all(
    validators.map(async (v) => {
      await sleep(delayMs.get(v) ?? 0);
      const d = await v.election.decide('watcher', dedupKey, SEED_HEIGHT, INVOCATION_TIMEOUT_MS);
      if (d === 'run') await v.election.reportResult('watcher', dedupKey, { ok: true, output, error: null });
      return d;
    }),
  );
}

describe('executor election between four validators', () => {
  beforeAll(() => {
    // The first VRF proof builds the curve's tables (a noticeable pause): not inside a claim window.
    const key = keyPairFromSeed(new Uint8Array(32).fill(1));
    const committee = committeeOf([{ publicKey: key.publicKey, weight: 1 }]);
    executorPriority(key.secretKey, committee.members.get(toHex(key.publicKey))!, committee, executorAlpha(SEED, 'warm', 'up'));
  });

  it('elects exactly one executor per event, the top-ranked one, and every other node records its result', async () => {
    const { committee, validators } = network([1000, 1000, 1000, 1000]);
    for (let i = 0; i < 4; i += 1) {
      const dedupKey = `arc:00000000000${i}.000000:tx${i}:added`;
      const top = expectedOrder(committee, validators, 'watcher', dedupKey)[0]!;
      const decisions = await decideAndRun(validators, dedupKey, { n: i });
      expect(decisions.filter((d) => d === 'run')).toHaveLength(1);
      expect(decisions[validators.indexOf(top)]).toBe('run');
      for (const v of validators) {
        const row = v.records.find((r) => r.dedupKey === dedupKey);
        expect(row).toMatchObject({ name: 'watcher', executorDid: top.did, outcome: 'ok' });
      }
    }
  });

  it("refuses a result from a validator that was not chosen, and accepts the chosen one's", async () => {
    const { committee, validators, deliver } = network([1000, 1000, 1000, 1000]);
    const dedupKey = 'arc:000000000042.000001:abc:added';
    const [top, second, ...rest] = expectedOrder(committee, validators, 'watcher', dedupKey);
    const pending = validators.map((v) => v.election.decide('watcher', dedupKey, SEED_HEIGHT, INVOCATION_TIMEOUT_MS));
    expect(await pending[validators.indexOf(top!)]).toBe('run');
    // The second-ranked validator sends a well-signed result with its own valid proof: not the chosen result.
    const alpha = executorAlpha(SEED, 'watcher', dedupKey);
    const member = committee.members.get(toHex(second!.key.publicKey))!;
    const { proof } = executorPriority(second!.key.secretKey, member, committee, alpha);
    const forged = signExecutorResult(
      { name: 'watcher', dedupKey, publicKey: second!.key.publicKey, proof, outcome: { ok: true }, outputDigest: sha3(utf8('x')) },
      second!.key.secretKey,
    );
    deliver(validators.indexOf(second!), encodeExecutorMessage(forged));
    // A result under the top validator's key with the second's proof, and bytes that are no message at all.
    const stolen = signExecutorResult({ ...forged, publicKey: top!.key.publicKey }, top!.key.secretKey);
    deliver(validators.indexOf(second!), encodeExecutorMessage(stolen));
    expect(rest[0]!.election.receive(Uint8Array.of(2, 200, 1, 7))).toBe(false);
    await sleep(100);
    for (const v of validators) expect(v.records).toHaveLength(0);
    await top!.election.reportResult('watcher', dedupKey, { ok: false, error: { code: 'BLOCKLET_TIMEOUT', message: 'slow' } });
    const decisions = await Promise.all(pending);
    expect(decisions.filter((d) => d === 'run')).toEqual(['run']);
    for (const v of [second!, ...rest]) {
      expect(v.records.map((r) => [r.executorDid, r.outcome])).toEqual([[top!.did, 'BLOCKLET_TIMEOUT']]);
    }
  });

  it('passes over a chosen node that does not answer in time: the next by priority runs and its result is accepted', async () => {
    const { committee, validators } = network([1000, 1000, 1000, 1000]);
    const dedupKey = 'arc:000000000043.000000:def:added';
    const [top, second, ...rest] = expectedOrder(committee, validators, 'watcher', dedupKey);
    const startedMs = Date.now();
    const decisions = new Map<Validator, Promise<'run' | 'skip'>>();
    for (const v of validators) decisions.set(v, v.election.decide('watcher', dedupKey, SEED_HEIGHT, INVOCATION_TIMEOUT_MS));
    expect(await decisions.get(top!)).toBe('run');
    // The top validator never reports (it crashed, or is cut off). The second takes over after the result timeout.
    expect(await decisions.get(second!)).toBe('run');
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(INVOCATION_TIMEOUT_MS + TIMING.resultMarginMs);
    await second!.election.reportResult('watcher', dedupKey, { ok: true, output: 'done', error: null });
    for (const v of rest) expect(await decisions.get(v)).toBe('skip');
    for (const v of rest) expect(v.records.map((r) => r.executorDid)).toEqual([second!.did]);
    // The passed-over node's late result changes nothing where the second's was accepted.
    await top!.election.reportResult('watcher', dedupKey, { ok: true, output: 'late', error: null });
    await sleep(50);
    for (const v of rest) expect(v.records.map((r) => r.executorDid)).toEqual([second!.did]);
  });

  it('elects one executor when one validator sees the event late: the others hear its early claim in their window', async () => {
    const { committee, validators } = network([1000, 1000, 1000, 1000], { watches: true });
    for (let i = 0; i < 2; i += 1) {
      const dedupKey = `arc:000000000050.00000${i}:late:added`;
      const order = expectedOrder(committee, validators, 'watcher', dedupKey);
      // The first and the second by rank in turn see the event after the others' claim windows would have ended
      // (but before the result timeout: a node later than that is passed over, see README.md).
      const settled = await decideAndRun(validators, dedupKey, null, new Map([[order[i]!, TIMING.claimWindowMs + 300]]));
      expect(settled.filter((d) => d === 'run')).toHaveLength(1);
      expect(settled[validators.indexOf(order[0]!)]).toBe('run');
    }
  });

  it('runs most events on the validator with three times the stake', async () => {
    const { committee, validators } = network([3000, 1000, 1000, 1000]);
    const runs = new Map<Validator, number>(validators.map((v) => [v, 0]));
    for (let i = 0; i < 16; i += 1) {
      const dedupKey = `arc:000000000060.0000${String(i).padStart(2, '0')}:w:added`;
      const settled = await decideAndRun(validators, dedupKey, i);
      const runner = validators[settled.indexOf('run')]!;
      expect(runner).toBe(expectedOrder(committee, validators, 'watcher', dedupKey)[0]);
      runs.set(runner, (runs.get(runner) ?? 0) + 1);
    }
    const [heavy, ...light] = validators.map((v) => runs.get(v) ?? 0);
    for (const n of light) expect(heavy).toBeGreaterThan(n);
  });
});

describe('executor election bounds and fallbacks', () => {
  it('lets a node outside the validators, or the only validator, run everything itself', async () => {
    const outsider = keyPairFromSeed(new Uint8Array(32).fill(99));
    const { committee } = network([1000, 1000]);
    const solo = committeeOf([{ publicKey: outsider.publicKey, weight: 1 }]);
    for (const c of [committee, solo]) {
      const election = new ExecutorElection({
        key: outsider,
        network: { committee: c, broadcastExecutor: () => undefined, seedAfterHeight: async () => SEED },
        store: { record: async () => undefined },
        now: Date.now,
        log: () => undefined,
      });
      expect(await election.decide('watcher', 'arc:1', SEED_HEIGHT, INVOCATION_TIMEOUT_MS)).toBe('run');
    }
  });

  it('remembers a bounded number of elections under a flood of claims for distinct events', async () => {
    const keys = [1, 2].map((i) => keyPairFromSeed(new Uint8Array(32).fill(i + 40)));
    const committee = committeeOf(keys.map((k) => ({ publicKey: k.publicKey, weight: 10 })));
    const sent: Uint8Array[] = [];
    const make = (key: KeyPair, limits = {}) =>
      new ExecutorElection({
        key,
        network: { committee, broadcastExecutor: (bytes) => void sent.push(bytes), seedAfterHeight: async () => SEED },
        store: { record: async () => undefined },
        now: Date.now,
        log: () => undefined,
        limits: { ...TIMING, ...limits },
      });
    const flooder = make(keys[0]!);
    const target = make(keys[1]!, { eventsMax: 8 });
    flooder.watches = () => true;
    const decisions: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i += 1) decisions.push(flooder.decide('watcher', `arc:${i}`, SEED_HEIGHT, INVOCATION_TIMEOUT_MS));
    while (sent.length < 40) await sleep(10);
    for (const bytes of sent) expect(target.receive(bytes)).toBe(true);
    expect(target.size).toBe(8);
    // Closing ends the decisions still waiting (their events are delivered again after a restart).
    flooder.close();
    for (const outcome of await Promise.allSettled(decisions)) {
      if (outcome.status === 'rejected') expect((outcome.reason as Error).name).toBe('ElectionClosed');
    }
  });
});
