import {
  type ApplicationState,
  burnReceiptId,
  type CheckedTx,
  type ComponentState,
  type ComponentVersionState,
  componentVersionId,
  deriveDid,
  grantId,
  type Itx,
  type StateEntry,
  type StateView,
  slashReceiptId,
  stateKey,
  tokenAddress,
  utf8,
} from '@arc/core';
import { describe, expect, it } from 'vitest';
import { addDependentKeys, addTxKeys, DEPENDENT_KEY_PASSES_MAX, viewForTxs } from './keys.ts';
import { mapView, type StateCache } from './state-cache.ts';
import { emptyStateKeys, keysOfKind, STATE_TABLES, type StateKeys } from './store.ts';

const did = (name: string) => deriveDid(utf8(`economy-keys-test:${name}`), 'account');
const alice = did('alice');
const bob = did('bob');
const app = did('app');
const carol = did('carol');
const approval = (signer: string) => ({ did: signer, publicKey: new Uint8Array(32), signature: new Uint8Array(64) });

/** A transaction as addTxKeys sees it: only the envelope and the inner transaction matter, not the signatures. */
function checked(itx: Itx, feePayer: string | null = null): CheckedTx {
  const tx = {
    chainId: 'test',
    from: alice,
    publicKey: new Uint8Array(32),
    nonce: 1,
    fee: 1n,
    feePayer: feePayer === null ? null : { did: feePayer, publicKey: new Uint8Array(32), signature: new Uint8Array(64) },
    itx,
    signature: new Uint8Array(64),
  };
  return { tx, bytes: new Uint8Array(), hash: new Uint8Array(32), hashHex: '00'.repeat(32), signingBytes: new Uint8Array() };
}

function keysOf(...txs: CheckedTx[]): StateKeys {
  const keys = emptyStateKeys();
  for (const t of txs) addTxKeys(keys, t);
  return keys;
}

/** The key set as sorted state keys (`kind:id`), to compare whole. */
function names(keys: StateKeys): string[] {
  const kinds = Object.keys(STATE_TABLES) as (keyof typeof STATE_TABLES)[];
  return kinds.flatMap((kind) => [...keysOfKind(keys, kind)].map((id) => stateKey(kind, id))).sort();
}

function application(owes: { feesOwed?: string[]; unpaid?: string[] }): ApplicationState {
  return {
    did: app,
    owner: alice,
    deposit: 0n,
    feesOwed: new Map((owes.feesOwed ?? []).map((d) => [d, 1n])),
    unpaid: new Map((owes.unpaid ?? []).map((d) => [d, 1n])),
    arrearsSinceMs: 0,
    nextPeriod: 0,
    createdAtHeight: 1,
  };
}

function component(name: string, latestVersion: string): ComponentState {
  return {
    name,
    kind: 'blocklet',
    owner: alice,
    publisher: alice,
    stake: 0n,
    latestVersion,
    versionCount: 1,
    createdAtHeight: 1,
    updatedAtHeight: 1,
  };
}

function version(name: string, v: string, beneficiaries: string[]): ComponentVersionState {
  return {
    name,
    version: v,
    kind: 'blocklet',
    description: '',
    manifestHash: new Uint8Array(32),
    bundleHash: new Uint8Array(32),
    readmeHash: new Uint8Array(32),
    releaseNotes: '',
    categories: [],
    chains: [],
    price: { model: 'perCall', amount: 1n },
    beneficiaries: beneficiaries.map((b) => ({ did: b, shareBps: 10_000 / beneficiaries.length })),
    publishedBy: alice,
    publishedAtHeight: 1,
    status: 'active',
    statusReason: '',
  };
}

/** Stands in for the node's cache: each call answers with only the entries of the keys asked for, as the cache does. */
function countingCache(all: Map<string, StateEntry>) {
  const rounds: string[][] = [];
  const cache = {
    async view(keys: StateKeys): Promise<StateView> {
      rounds.push(names(keys));
      const asked = new Set(names(keys));
      return mapView(new Map([...all].filter(([key]) => asked.has(key))));
    },
  };
  return { cache: cache as unknown as StateCache, rounds };
}

const settle = checked({
  type: 'settle',
  period: 7,
  bills: [
    {
      application: app,
      lines: [
        { kind: 'component', payee: 'oracle', amount: 10n },
        { kind: 'node', payee: bob, amount: 5n },
      ],
    },
  ],
});
const beneficiaries = [did('author-1'), did('author-2')];
const proposer = did('proposer');
const creditor = did('creditor');
const settleState = new Map<string, StateEntry>([
  [stateKey('application', app), { kind: 'application', value: application({ feesOwed: [proposer], unpaid: [creditor] }) }],
  [stateKey('component', 'oracle'), { kind: 'component', value: component('oracle', '1.2.0') }],
  [stateKey('componentVersion', 'oracle@1.2.0'), { kind: 'componentVersion', value: version('oracle', '1.2.0', beneficiaries) }],
]);

describe('the state keys of token-economy transactions', () => {
  it("names the sender's stake for stake, unstake and withdrawStake", () => {
    for (const itx of [{ type: 'stake', amount: 5n }, { type: 'unstake', amount: 5n }, { type: 'withdrawStake' }] as Itx[]) {
      expect(names(keysOf(checked(itx)))).toEqual([stateKey('account', alice), stateKey('stake', alice)].sort());
    }
  });

  it("names the stakes that back component names: the publisher's, and both owners' of a transfer", () => {
    const publish = {
      type: 'publishComponent',
      kind: 'blocklet',
      name: 'oracle',
      version: '1.0.0',
      description: 'x',
      manifestHash: new Uint8Array(32),
      bundleHash: new Uint8Array(32),
      readmeHash: new Uint8Array(32),
      releaseNotes: '',
      categories: ['tools'],
      chains: [],
      price: { model: 'free', amount: 0n },
      beneficiaries: [{ did: alice, shareBps: 10_000 }],
    } as Itx;
    expect(names(keysOf(checked(publish)))).toContain(stateKey('stake', alice));
    const transfer = names(keysOf(checked({ type: 'transferComponent', name: 'oracle', to: bob })));
    expect(transfer).toEqual(expect.arrayContaining([stateKey('stake', alice), stateKey('stake', bob)]));
  });

  it("names a slash's offender stake, its evidence receipt (lower-case hex) and every approver's account", () => {
    const evidenceHash = new Uint8Array(32).fill(0xab);
    const keys = keysOf(
      checked({
        type: 'slash',
        offender: bob,
        amount: 3n,
        evidenceHash,
        reason: 'double sign',
        approvals: [approval(did('v1')), approval(did('v2'))],
      }),
    );
    expect(slashReceiptId(evidenceHash)).toBe(`slash:${'ab'.repeat(32)}`);
    expect(names(keys)).toEqual(
      [
        stateKey('account', alice),
        stateKey('account', did('v1')),
        stateKey('account', did('v2')),
        stateKey('stake', bob),
        stateKey('receipt', `slash:${'ab'.repeat(32)}`),
      ].sort(),
    );
  });

  it('names the application of openApplication, fundApplication and withdrawDeposit', () => {
    const itxs: Itx[] = [
      {
        type: 'openApplication',
        application: app,
        applicationKey: new Uint8Array(32),
        applicationSignature: new Uint8Array(64),
        deposit: 9n,
      },
      { type: 'fundApplication', application: app, amount: 1n },
      { type: 'withdrawDeposit', application: app, amount: 1n },
    ];
    for (const itx of itxs) expect(keysOf(checked(itx)).applications).toEqual(new Set([app]));
  });

  it("names a settle's applications, the components it bills and the nodes it pays", () => {
    const keys = keysOf(settle);
    expect(keys.applications).toEqual(new Set([app]));
    expect(keys.components).toEqual(new Set(['oracle']));
    expect(keys.accounts).toEqual(new Set([alice, bob]));
  });

  it('names the token of issueToken, mintToken (and the recipient) and burnToken', () => {
    const token = tokenAddress('GOLD');
    const issue: Itx = { type: 'issueToken', symbol: 'GOLD', name: 'Gold', decimals: 6, initialSupply: 1n, policy: 'mintable', cap: 0n };
    expect(keysOf(checked(issue)).tokens).toEqual(new Set([token]));
    const mint = keysOf(checked({ type: 'mintToken', token, to: bob, amount: 1n }));
    expect([mint.tokens, mint.accounts]).toEqual([new Set([token]), new Set([alice, bob])]);
    expect(keysOf(checked({ type: 'burnToken', token, amount: 1n })).tokens).toEqual(new Set([token]));
  });

  it("names nothing but the sender for a bridge lock, and a release's recipient and burn receipt", () => {
    expect(names(keysOf(checked({ type: 'bridgeLock', amount: 1n, ethAddress: `0x${'1'.repeat(40)}` })))).toEqual([
      stateKey('account', alice),
    ]);
    const ethTxHash = new Uint8Array(32).fill(0x0f);
    const keys = keysOf(checked({ type: 'bridgeRelease', ethTxHash, logIndex: 3, to: bob, amount: 1n, approvals: [] }));
    expect(burnReceiptId(ethTxHash, 3)).toBe(`burn:${'0f'.repeat(32)}:3`);
    expect(keys.receipts).toEqual(new Set([`burn:${'0f'.repeat(32)}:3`]));
    expect(keys.accounts).toEqual(new Set([alice, bob]));
  });

  it("names a fee payer's application entry, and then the accounts that application owes (no grant)", () => {
    const tx = checked({ type: 'transfer', to: bob, amount: 1n, tokens: [], assets: [], memo: '' }, app);
    const keys = keysOf(tx);
    expect(keys.applications).toEqual(new Set([app]));
    const view = mapView(new Map([[stateKey('application', app), { kind: 'application', value: application({ feesOwed: [proposer] }) }]]));
    expect(addDependentKeys(keys, [tx], view)).toBe(true);
    expect(keys.accounts.has(proposer)).toBe(true);
    expect(keys.grants.size).toBe(0);
    expect(addDependentKeys(keys, [tx], view)).toBe(false);
  });

  it('names the grant of a fee payer that is no application, once the view says it is none', async () => {
    const tx = checked({ type: 'transfer', to: bob, amount: 1n, tokens: [], assets: [], memo: '' }, carol);
    const keys = keysOf(tx);
    expect(keys.grants.size).toBe(0);
    expect(addDependentKeys(keys, [tx], mapView(new Map()))).toBe(true);
    expect(keys.grants).toEqual(new Set([grantId(carol, alice)]));
    expect(addDependentKeys(keys, [tx], mapView(new Map()))).toBe(false);
    // Loaded through the cache, the grant is in the view the fee is charged from.
    const grant = { payer: carol, grantee: alice, allowance: 10n, spent: 0n, expiresAtMs: 1e15 };
    const { cache, rounds } = countingCache(new Map([[stateKey('grant', grantId(carol, alice)), { kind: 'grant', value: grant }]]));
    const view = await viewForTxs(cache, emptyStateKeys(), [tx]);
    expect(rounds).toHaveLength(2);
    expect(view.grant(carol, alice)).toEqual(grant);
  });

  it('adds the accounts a funded application owes', () => {
    const fund = checked({ type: 'fundApplication', application: app, amount: 1n });
    const keys = keysOf(fund);
    addDependentKeys(keys, [fund], mapView(settleState));
    expect(keys.accounts).toEqual(new Set([alice, proposer, creditor]));
  });

  it("follows a settle's component to its latest version to its beneficiaries in one call on a view that holds them all", () => {
    const keys = keysOf(settle);
    expect(addDependentKeys(keys, [settle], mapView(settleState))).toBe(true);
    expect(keys.componentVersions).toEqual(new Set([componentVersionId('oracle', '1.2.0')]));
    expect(keys.accounts).toEqual(new Set([alice, bob, proposer, creditor, ...beneficiaries]));
    expect(addDependentKeys(keys, [settle], mapView(settleState))).toBe(false);
  });

  it('loads a settle round by round from the cache until no key is new: component, then version, then beneficiaries', async () => {
    const { cache, rounds } = countingCache(settleState);
    const keys = emptyStateKeys();
    const view = await viewForTxs(cache, keys, [settle]);
    expect(rounds).toHaveLength(3);
    expect(rounds[1]).toContain(stateKey('componentVersion', 'oracle@1.2.0'));
    expect(rounds[1]).not.toContain(stateKey('account', beneficiaries[0] as string));
    expect(rounds[2]).toContain(stateKey('account', beneficiaries[0] as string));
    expect(view.componentVersion('oracle', '1.2.0')?.beneficiaries.map((b) => b.did)).toEqual(beneficiaries);
  });

  it(`stops with an error when the keys still grow after ${DEPENDENT_KEY_PASSES_MAX} passes`, async () => {
    // A state that names a new account at every read: a key rule that never settles.
    let reads = 0;
    const endless = {
      async view(): Promise<StateView> {
        const base = mapView(new Map());
        return { ...base, application: () => application({ feesOwed: [did(`endless ${reads++}`)] }) };
      },
    } as unknown as StateCache;
    const tx = checked({ type: 'fundApplication', application: app, amount: 1n });
    await expect(viewForTxs(endless, emptyStateKeys(), [tx])).rejects.toThrow(/still grew after 4 passes/);
  });
});
