import { beforeEach, describe, expect, it } from 'vitest';
import {
  type Actor,
  alice,
  bob,
  CHAIN_ID,
  carol,
  dave,
  expectRefused,
  MIN_FEE,
  meter,
  moderator,
  PARAMS,
  PUBLISH_STAKE,
  signedTx,
  TestChain,
} from '../../test/ledger-kit.ts';
import { ERROR_CATALOG } from '../errors/catalog.ts';
import type { ApplyOk } from './apply.ts';
import { checkTx } from './check.ts';
import { LedgerError, type LedgerErrorCode } from './errors.ts';
import { compareSemver } from './semver.ts';
import { decodeEntry, encodeEntry } from './state.ts';
import { encodeTx } from './tx-codec.ts';
import type { Itx, PublishComponentTx, UsageRecord } from './types.ts';

const NAME = 'price-oracle';
const hash = (byte: number) => new Uint8Array(32).fill(byte);

let chain: TestChain;
beforeEach(() => {
  chain = TestChain.funded([
    [alice, 1_000_000n],
    [bob, 1_000_000n],
    [carol, 1_000n],
    [moderator, 1_000n],
    [meter, 1_000n],
  ]);
  // Publishers bond the stake for one name first (name-bond.test.ts specifies the rule itself).
  chain.bondForNames(alice, 1);
  chain.bondForNames(bob, 1);
});

/** Alice's balance after the genesis allocation, her bond and `txs` fees. */
const aliceBalanceAfter = (txs: number) => 1_000_000n - PUBLISH_STAKE - BigInt(txs) * MIN_FEE;

function publishItx(fields: Partial<PublishComponentTx> = {}): PublishComponentTx {
  return {
    type: 'publishComponent',
    kind: 'blocklet',
    name: NAME,
    version: '1.0.0',
    description: 'Prices from three exchanges, medianised',
    manifestHash: hash(1),
    bundleHash: hash(2),
    readmeHash: hash(3),
    releaseNotes: '',
    categories: ['oracle'],
    chains: ['arc'],
    price: { model: 'free', amount: 0n },
    beneficiaries: [{ did: alice.did, shareBps: 10_000 }],
    ...fields,
  };
}

/** Applies and expects a refusal with `code` (and a message matching `text`): rejected, or included as failed (fee only). */
function rejects(from: Actor, itx: Itx, code: LedgerErrorCode, text?: RegExp): LedgerError {
  return expectRefused(chain, chain.build(from, itx), code, text);
}

/** The stateless verdict on a transaction (checkTx), or null when it passes. */
function checkError(from: Actor, itx: Itx): LedgerError | null {
  const result = checkTx(encodeTx(signedTx(from, itx, { nonce: 1 })), { chainId: CHAIN_ID, params: PARAMS });
  return result instanceof LedgerError ? result : null;
}

function usage(account: Actor, fields: Partial<UsageRecord> = {}): UsageRecord {
  return { component: NAME, application: bob.did, account: account.did, installs: 1, calls: 3, paid: 0n, ...fields };
}

function recordUse(account: Actor, fields: Partial<UsageRecord> = {}, period = 20_000): ApplyOk {
  return chain.ok(meter, { type: 'recordUsage', period, records: [usage(account, fields)] });
}

const review = (stars: number, edit = false): Itx => ({ type: 'reviewComponent', name: NAME, stars, textHash: hash(stars), edit });

/** Balances plus bonded stakes plus component stakes: what the ledger conserves (fees move between accounts). */
function nativeHeld(): bigint {
  const balances = chain.state.accounts().reduce((sum, a) => sum + a.balance, 0n);
  const bonded = chain.state.stakes().reduce((sum, s) => sum + s.bonded, 0n);
  return balances + bonded + chain.state.components().reduce((sum, c) => sum + c.stake, 0n);
}

describe('publishComponent', () => {
  it('creates the name on a first publish: the publisher owns it, its bond backs the name and nothing leaves its balance', () => {
    const held = nativeHeld();
    const ok = chain.ok(alice, publishItx());
    expect(chain.balance(alice)).toBe(aliceBalanceAfter(2));
    const component = chain.state.component(NAME);
    expect(component).toMatchObject({
      owner: alice.did,
      publisher: alice.did,
      stake: 0n,
      latestVersion: '1.0.0',
      versionCount: 1,
    });
    expect(chain.state.componentVersion(NAME, '1.0.0')).toMatchObject({ status: 'active', publishedBy: alice.did, categories: ['oracle'] });
    expect(ok.events).toContainEqual({
      type: 'componentPublished',
      name: NAME,
      version: '1.0.0',
      kind: 'blocklet',
      owner: alice.did,
      firstVersion: true,
      stake: 0n,
    });
    expect(nativeHeld()).toBe(held);
  });

  it('takes no second stake for a later version and keeps the highest version by semver precedence, not by string', () => {
    chain.ok(alice, publishItx({ version: '1.2.0' }));
    const ok = chain.ok(alice, publishItx({ version: '1.10.0' }));
    expect(ok.events).toContainEqual(expect.objectContaining({ type: 'componentPublished', firstVersion: false }));
    chain.ok(alice, publishItx({ version: '1.9.0' }));
    chain.ok(alice, publishItx({ version: '1.10.0-rc.1' }));
    expect(chain.state.component(NAME)).toMatchObject({ latestVersion: '1.10.0', versionCount: 4, stake: 0n });
    expect(chain.state.stake(alice.did)).toMatchObject({ bonded: PUBLISH_STAKE, names: 1 });
    expect(chain.balance(alice)).toBe(aliceBalanceAfter(5));
  });

  it("refuses publishing under someone else's name (COMPONENT_NAME_TAKEN)", () => {
    chain.ok(alice, publishItx());
    rejects(
      bob,
      publishItx({ version: '2.0.0' }),
      'COMPONENT_NAME_TAKEN',
      new RegExp(`belongs to ${alice.did}; publish under another name`),
    );
  });

  it('refuses a version that exists (VERSION_EXISTS), naming the next patch', () => {
    chain.ok(alice, publishItx({ version: '1.2.0' }));
    rejects(
      alice,
      publishItx({ version: '1.2.0' }),
      'VERSION_EXISTS',
      /price-oracle@1\.2\.0 is published and versions are immutable; publish 1\.2\.1/,
    );
  });

  it('refuses a later version of another kind', () => {
    chain.ok(alice, publishItx());
    rejects(alice, publishItx({ version: '1.0.1', kind: 'adapter' }), 'INVALID_TX', /kind blocklet/);
  });

  it('refuses a first publish the sender has no bond for, whatever its balance (STAKE_TOO_LOW)', () => {
    rejects(carol, publishItx(), 'STAKE_TOO_LOW', /publishing a new name needs .* bonded for 1 name; you have 0 ABT bonded/);
  });

  it('refuses shares that do not add up to 10,000 basis points', () => {
    const error = checkError(
      alice,
      publishItx({
        beneficiaries: [
          { did: alice.did, shareBps: 6_000 },
          { did: bob.did, shareBps: 3_999 },
        ],
      }),
    );
    expect(error?.code).toBe('INVALID_TX');
    expect(error?.message).toBe('the shares add up to 9999 basis points; they must add up to 10,000');
  });

  it.each([
    ['a free price above 0', { price: { model: 'free', amount: 1n } }],
    ['a paid price of 0', { price: { model: 'perCall', amount: 0n } }],
    ['no category', { categories: [] }],
    ['a repeated category', { categories: ['oracle', 'oracle'] }],
    ['an upper-case category', { categories: ['Oracle'] }],
    ['a chain id with a space', { chains: ['bit coin'] }],
    ['an empty description', { description: ' ' }],
    ['a description over 200 bytes', { description: 'é'.repeat(101) }],
    ['a name with capitals', { name: 'Price-Oracle' }],
    ['a version that is not semver', { version: '1.0' }],
    [
      'a repeated beneficiary',
      {
        beneficiaries: [
          { did: alice.did, shareBps: 5_000 },
          { did: alice.did, shareBps: 5_000 },
        ],
      },
    ],
    [
      'a zero share',
      {
        beneficiaries: [
          { did: alice.did, shareBps: 10_000 },
          { did: bob.did, shareBps: 0 },
        ],
      },
    ],
    ['a beneficiary that is not a DID', { beneficiaries: [{ did: 'did:abt:nope', shareBps: 10_000 }] }],
  ] as [string, Partial<PublishComponentTx>][])('refuses %s before any state is read', (_what, fields) => {
    expect(checkError(alice, publishItx(fields))?.code).toMatch(/^(INVALID_TX|INVALID_DID|MALFORMED_TX)$/);
  });

  it('accepts a publish with an all-zero bundle hash (no bundle) and four beneficiaries', () => {
    const itx = publishItx({
      bundleHash: new Uint8Array(32),
      price: { model: 'perMonth', amount: 5n },
      beneficiaries: [alice, bob, carol, dave].map((a) => ({ did: a.did, shareBps: 2_500 })),
    });
    expect(checkError(alice, itx)).toBeNull();
    chain.ok(alice, itx);
  });
});

describe('transferComponent and deprecateVersion', () => {
  beforeEach(() => {
    chain.ok(alice, publishItx());
  });

  it('hands the name to another account; the old owner can no longer publish under it', () => {
    rejects(bob, { type: 'transferComponent', name: NAME, to: bob.did }, 'NOT_COMPONENT_OWNER');
    const ok = chain.ok(alice, { type: 'transferComponent', name: NAME, to: bob.did });
    expect(ok.events).toContainEqual({ type: 'componentTransferred', name: NAME, from: alice.did, to: bob.did });
    expect(ok.accounts).toContain(bob.did);
    expect(chain.state.component(NAME)).toMatchObject({ owner: bob.did, publisher: alice.did, stake: 0n });
    rejects(alice, publishItx({ version: '1.0.1' }), 'COMPONENT_NAME_TAKEN');
    chain.ok(bob, publishItx({ version: '1.0.1' }));
  });

  it('refuses a transfer to oneself', () => {
    rejects(alice, { type: 'transferComponent', name: NAME, to: alice.did }, 'INVALID_TX');
  });

  it('deprecates, then yanks, and refuses anything after a yank (VERSION_YANKED)', () => {
    const deprecate = (yank: boolean, version = '1.0.0', name = NAME): Itx => ({
      type: 'deprecateVersion',
      name,
      version,
      yank,
      reason: 'use 2.x',
    });
    rejects(alice, deprecate(false, '1.0.0', 'no-such-thing'), 'UNKNOWN_COMPONENT');
    rejects(alice, deprecate(false, '9.9.9'), 'UNKNOWN_VERSION');
    rejects(bob, deprecate(false), 'NOT_COMPONENT_OWNER');
    chain.ok(alice, deprecate(false));
    expect(chain.state.componentVersion(NAME, '1.0.0')).toMatchObject({ status: 'deprecated', statusReason: 'use 2.x' });
    chain.ok(alice, deprecate(true));
    expect(chain.state.componentVersion(NAME, '1.0.0')?.status).toBe('yanked');
    rejects(alice, deprecate(false), 'VERSION_YANKED');
    rejects(alice, deprecate(true), 'VERSION_YANKED');
  });
});

describe('reviews', () => {
  beforeEach(() => {
    chain.ok(alice, publishItx());
  });

  it('refuses a review without verified use (USE_NOT_VERIFIED), and installs alone are not use', () => {
    rejects(bob, review(5), 'USE_NOT_VERIFIED', /only an account that has used price-oracle may review it/);
    recordUse(bob, { installs: 1, calls: 0, paid: 0n });
    rejects(bob, review(5), 'USE_NOT_VERIFIED');
    expect(ERROR_CATALOG.USE_NOT_VERIFIED.retriable).toBe(true);
  });

  it('includes a review without use as failed: the reviewer pays its fee and no review is stored', () => {
    const before = chain.balance(bob);
    const nonce = chain.state.account(bob.did)?.nonce ?? 0;
    const ok = chain.send(bob, review(5)) as ApplyOk;
    expect(ok.failed?.code).toBe('USE_NOT_VERIFIED');
    expect(ok.events.at(-1)).toMatchObject({ type: 'txFailed', code: 'USE_NOT_VERIFIED' });
    expect(chain.balance(bob)).toBe(before - MIN_FEE);
    expect(chain.state.account(bob.did)?.nonce).toBe(nonce + 1);
    expect(chain.state.review(NAME, bob.did)).toBeUndefined();
  });

  it('accepts a review after calls or after a payment', () => {
    recordUse(bob, { calls: 1 });
    recordUse(dave, { calls: 0, paid: 1n });
    chain.ok(bob, review(4));
    chain.ok(bob, { type: 'transfer', to: dave.did, amount: 100n, tokens: [], assets: [], memo: '' });
    chain.ok(dave, review(2));
    expect(chain.state.review(NAME, dave.did)?.stars).toBe(2);
  });

  it('refuses a review of your own component', () => {
    recordUse(alice);
    rejects(alice, review(5), 'INVALID_TX', /you cannot review your own component/);
  });

  it('refuses a second review (REVIEW_EXISTS) and an edit of no review (REVIEW_NOT_FOUND); an edit keeps the reply', () => {
    recordUse(bob);
    rejects(bob, review(3, true), 'REVIEW_NOT_FOUND');
    const first = chain.ok(bob, review(3));
    expect(first.events).toContainEqual({ type: 'reviewed', name: NAME, reviewer: bob.did, stars: 3, revision: 1 });
    const createdAt = chain.state.review(NAME, bob.did)?.createdAtHeight;
    rejects(bob, review(4), 'REVIEW_EXISTS', /send it again with edit to change it/);
    chain.ok(alice, { type: 'replyReview', name: NAME, reviewer: bob.did, textHash: hash(9) });
    chain.ok(bob, review(5, true));
    const edited = chain.state.review(NAME, bob.did);
    expect(edited).toMatchObject({ stars: 5, revision: 2, createdAtHeight: createdAt, hidden: false });
    expect(edited?.reply?.textHash).toEqual(hash(9));
    expect(edited?.updatedAtHeight).toBeGreaterThan(createdAt as number);
  });

  it('lets the owner reply once (REPLY_EXISTS), to an existing review only', () => {
    recordUse(bob);
    const reply: Itx = { type: 'replyReview', name: NAME, reviewer: bob.did, textHash: hash(7) };
    rejects(alice, reply, 'REVIEW_NOT_FOUND');
    chain.ok(bob, review(1));
    rejects(dave, reply, 'UNKNOWN_ACCOUNT');
    rejects(bob, reply, 'NOT_COMPONENT_OWNER');
    const ok = chain.ok(alice, reply);
    expect(ok.events).toContainEqual({ type: 'reviewReplied', name: NAME, reviewer: bob.did });
    rejects(alice, { ...reply, textHash: hash(8) }, 'REPLY_EXISTS');
  });
});

describe('abuse reports', () => {
  beforeEach(() => {
    chain.ok(alice, publishItx());
    recordUse(bob);
    chain.ok(bob, review(1));
  });

  function report(reviewer: string): string {
    const checked = chain.build(alice, { type: 'reportAbuse', name: NAME, reviewer, reason: 'spam' });
    const { result } = chain.apply(checked);
    expect(result).not.toBeInstanceOf(LedgerError);
    expect((result as ApplyOk).events).toContainEqual({
      type: 'abuseReported',
      id: checked.hashHex,
      name: NAME,
      reviewer,
      reporter: alice.did,
    });
    return checked.hashHex;
  }

  it('files a report under its transaction hash, of a component or of an existing review', () => {
    rejects(alice, { type: 'reportAbuse', name: 'no-such-thing', reviewer: '', reason: 'spam' }, 'UNKNOWN_COMPONENT');
    rejects(alice, { type: 'reportAbuse', name: NAME, reviewer: dave.did, reason: 'spam' }, 'REVIEW_NOT_FOUND');
    expect(checkError(alice, { type: 'reportAbuse', name: NAME, reviewer: '', reason: '' })?.code).toBe('INVALID_TX');
    const id = report('');
    expect(chain.state.report(id)).toMatchObject({ status: 'open', reporter: alice.did, component: NAME, reviewer: '' });
  });

  it('lets only a moderator resolve (NOT_MODERATOR); an upheld report hides the review; a report resolves once', () => {
    const id = report(bob.did);
    const resolve = (upheld: boolean, report = id): Itx => ({ type: 'resolveReport', report, upheld, note: 'checked' });
    rejects(bob, resolve(true), 'NOT_MODERATOR');
    rejects(moderator, resolve(true, 'ab'.repeat(32)), 'REPORT_NOT_FOUND');
    const ok = chain.ok(moderator, resolve(true));
    expect(ok.events).toContainEqual({ type: 'reportResolved', id, name: NAME, reviewer: bob.did, upheld: true, resolver: moderator.did });
    expect(chain.state.report(id)).toMatchObject({ status: 'upheld', resolver: moderator.did, note: 'checked' });
    expect(chain.state.review(NAME, bob.did)?.hidden).toBe(true);
    rejects(moderator, resolve(false), 'REPORT_RESOLVED');
  });

  it('leaves the review visible when a report is dismissed', () => {
    const id = report(bob.did);
    chain.ok(moderator, { type: 'resolveReport', report: id, upheld: false, note: '' });
    expect(chain.state.report(id)?.status).toBe('dismissed');
    expect(chain.state.review(NAME, bob.did)?.hidden).toBe(false);
  });
});

describe('recordUsage', () => {
  beforeEach(() => {
    chain.ok(alice, publishItx());
  });

  it('refuses usage recorded by an account that is not a usage reporter (NOT_USAGE_REPORTER)', () => {
    rejects(bob, { type: 'recordUsage', period: 1, records: [usage(bob)] }, 'NOT_USAGE_REPORTER');
  });

  it('refuses usage of a component that does not exist, recording none of the batch', () => {
    rejects(meter, { type: 'recordUsage', period: 1, records: [usage(bob), usage(bob, { component: 'ghost' })] }, 'UNKNOWN_COMPONENT');
    expect(chain.state.usage(NAME, bob.did)).toBeUndefined();
  });

  it('adds usage per (component, account) across applications and periods', () => {
    const ok = chain.ok(meter, {
      type: 'recordUsage',
      period: 20_001,
      records: [usage(bob, { calls: 5, paid: 7n }), usage(bob, { application: carol.did, installs: 2, calls: 1 })],
    });
    expect(ok.events).toContainEqual(expect.objectContaining({ type: 'usageRecorded', period: 20_001 }));
    recordUse(bob, { installs: 0, calls: 10 }, 19_999);
    expect(chain.state.usage(NAME, bob.did)).toEqual({
      component: NAME,
      account: bob.did,
      installs: 3,
      calls: 16,
      paid: 7n,
      firstPeriod: 19_999,
      lastPeriod: 20_001,
    });
  });

  it('refuses an empty batch', () => {
    expect(checkError(meter, { type: 'recordUsage', period: 1, records: [] })?.code).toBe('INVALID_TX');
  });
});

describe('compareSemver', () => {
  it('orders by precedence: numbers numerically, pre-releases below their release, build metadata ignored', () => {
    const ordered = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.2.0',
      '1.10.0',
      '10.0.0',
    ];
    for (let i = 0; i + 1 < ordered.length; i++) {
      expect(compareSemver(ordered[i] as string, ordered[i + 1] as string), `${ordered[i]} < ${ordered[i + 1]}`).toBe(-1);
      expect(compareSemver(ordered[i + 1] as string, ordered[i] as string)).toBe(1);
    }
    expect(compareSemver('1.0.0+build.1', '1.0.0+build.2')).toBe(0);
  });
});

describe('the market codes in the catalogue', () => {
  it.each([
    ['COMPONENT_NAME_TAKEN', 409],
    ['VERSION_EXISTS', 409],
    ['REVIEW_EXISTS', 409],
    ['REPLY_EXISTS', 409],
    ['NOT_COMPONENT_OWNER', 403],
    ['NOT_MODERATOR', 403],
    ['NOT_USAGE_REPORTER', 403],
    ['UNKNOWN_COMPONENT', 404],
    ['UNKNOWN_VERSION', 404],
    ['REVIEW_NOT_FOUND', 404],
    ['REPORT_NOT_FOUND', 404],
    ['USE_NOT_VERIFIED', 422],
  ] as const)('%s answers HTTP %i', (code, status) => {
    expect(ERROR_CATALOG[code].httpStatus).toBe(status);
    expect(ERROR_CATALOG[code].retriable).toBe(code === 'USE_NOT_VERIFIED');
  });
});

describe('market state encoding', () => {
  it('round-trips every marketplace entry (and the stake that counts the names) through its canonical encoding', () => {
    chain.ok(alice, publishItx({ price: { model: 'perCall', amount: 3n }, chains: [] }));
    recordUse(bob, { paid: 1n << 80n });
    chain.ok(bob, review(3));
    chain.ok(alice, { type: 'replyReview', name: NAME, reviewer: bob.did, textHash: hash(4) });
    chain.ok(alice, { type: 'reportAbuse', name: NAME, reviewer: bob.did, reason: 'rude — très' });
    const kinds = new Set<string>();
    for (const entry of chain.state.entries.values()) {
      kinds.add(entry.kind);
      expect(decodeEntry(entry.kind, encodeEntry(entry))).toEqual(entry);
    }
    expect([...kinds].sort()).toEqual(['account', 'component', 'componentVersion', 'report', 'review', 'stake', 'usage']);
  });
});
