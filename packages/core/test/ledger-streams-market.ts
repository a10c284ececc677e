/**
 * The marketplace's part of the ledger's random transaction streams (ledger-streams.ts): its intents, the sender
 * each needs, and its inner transactions, references resolved mostly to names, reviews and reports that exist.
 */
import fc from 'fast-check';
import type { BlockContext, Itx, StateView } from '../src/index.ts';
import type { Actor } from './ledger-kit.ts';
import { CAST, COMPONENT_NAMES, type Intent, pick, type StreamMemory } from './ledger-streams.ts';

/**
 * The marketplace's intents, weighted so publish → use → review → reply → report → resolve chains happen; staking
 * among them, so a publish sometimes has the bond for one more name and sometimes not.
 */
export function marketIntents(ref: fc.Arbitrary<number>, who: fc.Arbitrary<number>) {
  return [
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('stake' as const), amount: fc.bigInt({ min: 300n, max: 1_200n }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('unstake' as const), amount: fc.bigInt({ min: 1n, max: 600n }) }) },
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('publishComponent' as const), name: ref, version: ref }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('transferComponent' as const), name: ref, to: who }) },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('deprecateVersion' as const), name: ref, version: ref, yank: fc.boolean() }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('recordUsage' as const),
        name: ref,
        account: who,
        calls: fc.nat({ max: 3 }),
        paid: fc.bigInt({ min: 0n, max: 2n }),
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('reviewComponent' as const),
        name: ref,
        stars: fc.integer({ min: 1, max: 5 }),
        edit: fc.boolean(),
      }),
    },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('replyReview' as const), name: ref, reviewer: who }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('reportAbuse' as const), name: ref, reviewer: ref }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('resolveReport' as const), report: ref, upheld: fc.boolean() }) },
  ];
}

/** Whether an account's bond covers one more name than it holds (publishing a new one, or receiving one). */
function bondCoversOneMore(c: Actor, state: StateView, ctx: BlockContext): boolean {
  const stake = state.stake(c.did);
  return stake !== undefined && stake.bonded >= BigInt(stake.names + 1) * ctx.params.economy.publishStake;
}

/** The account a market intent needs as its sender (the owner, a reporter, a moderator), when there is one. */
export function marketSender(intent: Intent, state: StateView, ctx: BlockContext): Actor | undefined {
  const byDid = (did: string | undefined) => CAST.find((c) => c.did === did);
  switch (intent.kind) {
    case 'publishComponent': {
      const owner = state.component(componentName(intent.name))?.owner;
      if (owner !== undefined) return byDid(owner);
      // A new name: mostly an account whose bond covers one more name, sometimes anyone (refused STAKE_TOO_LOW).
      const bonded = CAST.filter((c) => state.account(c.did) !== undefined && bondCoversOneMore(c, state, ctx));
      return intent.version % 4 === 0 ? undefined : bonded[intent.version % Math.max(1, bonded.length)];
    }
    case 'transferComponent':
    case 'deprecateVersion':
      return byDid(state.component(existingName(intent.name, state))?.owner);
    case 'replyReview':
      return byDid(state.component(reviewedName(intent.name, state))?.owner);
    case 'reviewComponent': {
      const users = usersOf(usedName(intent.name, state), state);
      return users.length > 0 ? (users[intent.stars % users.length] as Actor) : undefined;
    }
    case 'recordUsage':
      return byDid(ctx.params.market.usageReporters[intent.name % ctx.params.market.usageReporters.length]);
    case 'resolveReport':
      return byDid(ctx.params.market.moderators[intent.report % ctx.params.market.moderators.length]);
    default:
      return undefined;
  }
}

function componentName(r: number): string {
  return COMPONENT_NAMES[r % COMPONENT_NAMES.length] as string;
}

/** A published name most of the time, any name otherwise. */
function existingName(r: number, state: StateView): string {
  return pick(
    r,
    COMPONENT_NAMES.filter((n) => state.component(n) !== undefined),
    COMPONENT_NAMES,
  );
}

/** Funded accounts other than the owner that have called the component: who may review it. */
function usersOf(name: string, state: StateView): Actor[] {
  const owner = state.component(name)?.owner;
  return CAST.filter((c) => c.did !== owner && state.account(c.did) !== undefined && (state.usage(name, c.did)?.calls ?? 0) > 0);
}

/** A name some account may review most of the time, else a published one. */
function usedName(r: number, state: StateView): string {
  const used = COMPONENT_NAMES.filter((n) => usersOf(n, state).length > 0);
  return used.length > 0 && r % 4 !== 0 ? (used[r % used.length] as string) : existingName(r, state);
}

/** A name someone has reviewed most of the time, else a published one. */
function reviewedName(r: number, state: StateView): string {
  const reviewed = COMPONENT_NAMES.filter((n) => CAST.some((c) => state.review(n, c.did) !== undefined));
  return reviewed.length > 0 && r % 4 !== 0 ? (reviewed[r % reviewed.length] as string) : existingName(r, state);
}

/** An account that reviewed the component most of the time, anyone otherwise. */
function reviewerOf(r: number, name: string, state: StateView): string {
  return pick(
    r,
    CAST.filter((c) => state.review(name, c.did) !== undefined),
    CAST,
  ).did;
}

/** The inner transaction of a marketplace intent, its references resolved against the view. */
export function marketItx(intent: Intent, sender: Actor, state: StateView, memory: StreamMemory, ctx: BlockContext): Itx {
  const anyone = (r: number) => (CAST[r % CAST.length] as Actor).did;
  switch (intent.kind) {
    case 'publishComponent':
      return {
        type: 'publishComponent',
        // A kind other than the name's first is refused (INVALID_TX) once the name exists.
        kind: intent.version % 9 === 0 ? 'adapter' : 'blocklet',
        name: componentName(intent.name),
        version: `1.${intent.version % 4}.0`,
        description: 'a component',
        manifestHash: new Uint8Array(32).fill(1),
        bundleHash: new Uint8Array(32),
        readmeHash: new Uint8Array(32).fill(2),
        releaseNotes: '',
        categories: ['tools'],
        chains: ['arc'],
        price: { model: 'free', amount: 0n },
        beneficiaries: [{ did: sender.did, shareBps: 10_000 }],
      };
    case 'transferComponent': {
      // Mostly to an account whose bond covers the name (anyone else is refused STAKE_TOO_LOW), sometimes anyone.
      const others = CAST.filter((c) => c !== sender);
      const bonded = others.filter((c) => bondCoversOneMore(c, state, ctx));
      return { type: 'transferComponent', name: existingName(intent.name, state), to: pick(intent.to, bonded, others).did };
    }
    case 'deprecateVersion':
      return {
        type: 'deprecateVersion',
        name: existingName(intent.name, state),
        version: `1.${intent.version % 5}.0`,
        yank: intent.yank,
        reason: 'superseded',
      };
    case 'recordUsage':
      return {
        type: 'recordUsage',
        period: 20_000 + (intent.calls % 2),
        records: [
          {
            component: existingName(intent.name, state),
            application: anyone(intent.account + 1),
            account: pick(
              intent.account,
              CAST.filter((c) => state.account(c.did) !== undefined),
              CAST,
            ).did,
            installs: 1,
            calls: intent.calls,
            paid: intent.paid,
          },
        ],
      };
    case 'reviewComponent': {
      const name = usedName(intent.name, state);
      // Mostly the right flag for what exists, so edits happen; sometimes the wrong one.
      const edit = intent.stars === 5 ? intent.edit : state.review(name, sender.did) !== undefined;
      return { type: 'reviewComponent', name, stars: intent.stars, textHash: new Uint8Array(32).fill(intent.stars), edit };
    }
    case 'replyReview':
      return {
        type: 'replyReview',
        name: existingName(intent.name, state),
        reviewer: anyone(intent.reviewer),
        textHash: new Uint8Array(32).fill(3),
      };
    case 'reportAbuse':
      return {
        type: 'reportAbuse',
        name: existingName(intent.name, state),
        reviewer: intent.reviewer % 3 === 0 ? '' : reviewerOf(intent.reviewer, existingName(intent.name, state), state),
        reason: 'spam',
      };
    case 'resolveReport':
      return {
        type: 'resolveReport',
        report: pick(intent.report, memory.reports, ['00'.repeat(32)]),
        upheld: intent.upheld,
        note: '',
      };
    default:
      throw new Error(`not a market intent: ${intent.kind}`);
  }
}
