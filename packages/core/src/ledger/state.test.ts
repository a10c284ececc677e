import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alice, bob } from '../../test/ledger-kit.ts';
import { amountArb, bytes32Arb, didArb, positiveAmountArb, stringWithin } from '../../test/tx-arbitraries.ts';
import { toHex, utf8 } from '../bytes.ts';
import { sha3 } from '../crypto/provider.ts';
import { tokenAddress } from './addresses.ts';
import type { ApplicationState, ReceiptState, StakeState } from './economy-types.ts';
import { ECONOMY_LIMITS, TX_LIMITS } from './limits.ts';
import { MemoryState, MemoryTrie } from './memory-state.ts';
import {
  decodeEntry,
  decodeToken,
  encodeAccount,
  encodeEntry,
  encodeToken,
  grantId,
  Overlay,
  type StateEntry,
  type StateWrite,
  stateKey,
  stateKeyHash,
  writeKey,
} from './state.ts';
import { entryValueHash } from './state-root.ts';
import type { AccountState, TokenState } from './types.ts';

const L = TX_LIMITS;
const height = fc.nat({ max: 1_000_000 });

const accountArb: fc.Arbitrary<AccountState> = fc.record({
  did: didArb,
  publicKey: fc.option(bytes32Arb, { nil: null }),
  moniker: stringWithin(L.monikerBytes),
  nonce: fc.maxSafeNat(),
  balance: amountArb,
  tokens: fc.array(fc.tuple(didArb, positiveAmountArb), { maxLength: 5 }).map((pairs) => new Map(pairs)),
});

const tokenArb: fc.Arbitrary<TokenState> = fc
  .tuple(
    fc.record({
      address: didArb,
      symbol: fc.stringMatching(/^[A-Z][A-Z0-9]{1,15}$/),
      name: stringWithin(L.tokenNameBytes),
      decimals: fc.integer({ min: 0, max: 18 }),
      totalSupply: amountArb,
      owner: didArb,
      createdAtHeight: height,
    }),
    fc.oneof(
      fc.constant({ policy: 'fixed' as const, cap: 0n }),
      fc.constant({ policy: 'mintable' as const, cap: 0n }),
      positiveAmountArb.map((cap) => ({ policy: 'capped' as const, cap })),
    ),
  )
  .map(([fields, policy]) => ({ ...fields, ...policy }));

const amountsArb = (max: number) =>
  fc
    .uniqueArray(fc.tuple(didArb, positiveAmountArb), { maxLength: Math.min(max, 6), selector: ([did]) => did })
    .map((pairs) => new Map(pairs));

const stakeArb: fc.Arbitrary<StakeState> = fc.record({
  did: didArb,
  bonded: amountArb,
  unbonding: fc.array(fc.record({ amount: amountArb, releaseAtMs: fc.maxSafeNat() }), { maxLength: ECONOMY_LIMITS.unbondingEntriesMax }),
  slashed: amountArb,
  names: fc.oneof(fc.constant(0), fc.maxSafeNat()),
});

const applicationArb: fc.Arbitrary<ApplicationState> = fc.record({
  did: didArb,
  owner: didArb,
  deposit: amountArb,
  feesOwed: amountsArb(ECONOMY_LIMITS.feePayeesMax),
  unpaid: amountsArb(ECONOMY_LIMITS.unpaidPayeesMax),
  arrearsSinceMs: fc.maxSafeNat(),
  nextPeriod: fc.maxSafeNat(),
  createdAtHeight: height,
});

const receiptArb: fc.Arbitrary<ReceiptState> = fc.record({
  id: stringWithin(ECONOMY_LIMITS.receiptIdBytes),
  txHash: bytes32Arb.map(toHex),
  height,
});

const entryArb: fc.Arbitrary<StateEntry> = fc.oneof(
  accountArb.map((value) => ({ kind: 'account' as const, value })),
  tokenArb.map((value) => ({ kind: 'token' as const, value })),
  fc
    .record({
      address: didArb,
      owner: didArb,
      issuer: didArb,
      moniker: stringWithin(L.monikerBytes),
      data: fc.uint8Array({ maxLength: 100 }),
      transferable: fc.boolean(),
      readonly: fc.boolean(),
      consumed: fc.boolean(),
      createdAtHeight: height,
      updatedAtHeight: height,
    })
    .map((value) => ({ kind: 'asset' as const, value })),
  fc
    .record({ payer: didArb, grantee: didArb, allowance: amountArb, spent: amountArb, expiresAtMs: fc.maxSafeNat() })
    .map((value) => ({ kind: 'grant' as const, value })),
  stakeArb.map((value) => ({ kind: 'stake' as const, value })),
  applicationArb.map((value) => ({ kind: 'application' as const, value })),
  receiptArb.map((value) => ({ kind: 'receipt' as const, value })),
);

const account = (did: string, balance: bigint, tokens: [string, bigint][] = []): AccountState => ({
  did,
  publicKey: null,
  moniker: '',
  nonce: 0,
  balance,
  tokens: new Map(tokens),
});

describe('state entry encoding', () => {
  it('decodes every entry it encodes', () => {
    fc.assert(
      fc.property(entryArb, (entry) => {
        expect(decodeEntry(entry.kind, encodeEntry(entry))).toEqual(entry);
      }),
      { numRuns: 300 },
    );
  });

  it('encodes an account the same whatever order its token balances were added in', () => {
    fc.assert(
      fc.property(accountArb, (a) => {
        const reversed = { ...a, tokens: new Map([...a.tokens].reverse()) };
        expect(toHex(encodeAccount(reversed))).toBe(toHex(encodeAccount(a)));
      }),
      { numRuns: 200 },
    );
  });

  it('encodes a fixed-supply token byte for byte as before policies existed (version 1), so existing state roots stand', () => {
    // Both literals were computed by the encoder before token policies (git HEAD of the economy change).
    const gold: TokenState = {
      address: tokenAddress('GOLD'),
      symbol: 'GOLD',
      name: 'Gold Coin',
      decimals: 6,
      totalSupply: 21_000_000_000_000n,
      owner: alice.did,
      createdAtHeight: 7,
      policy: 'fixed',
      cap: 0n,
    };
    const bytes = encodeToken(gold);
    expect(toHex(bytes)).toBe(
      '012d6469643a6162743a7a33356e324c5041716b66584443664d6f6765726964355a515a7361783536414a4b7a336b04474f4c4409476f6c6420436f696e0680a0a98c97e3042b6469643a6162743a7a31653167744d764c7a44616f45333158327259734d465a48447663366d715a57594d07',
    );
    expect(decodeToken(bytes)).toEqual(gold);
    const holder = account(alice.did, 5n, [[gold.address, gold.totalSupply]]);
    const root = new MemoryTrie().fold([
      { kind: 'account', value: holder },
      { kind: 'token', value: gold },
    ]);
    expect(toHex(root)).toBe('2a224f3798f0c6b47513b34aff56cf38d1f586e343593cff2cae253dfb1ec213');
  });

  it('encodes a mintable or capped token as version 2 with its policy and cap', () => {
    fc.assert(
      fc.property(tokenArb, (token) => {
        const bytes = encodeToken(token);
        expect(bytes[0]).toBe(token.policy === 'fixed' ? 1 : 2);
        expect(decodeToken(bytes)).toEqual(token);
      }),
      { numRuns: 100 },
    );
  });

  it('leaves zero amounts out of an application encoding and writes its maps in one order', () => {
    fc.assert(
      fc.property(applicationArb, didArb, (app, extra) => {
        fc.pre(!app.unpaid.has(extra) && !app.feesOwed.has(extra));
        const shuffled = {
          ...app,
          feesOwed: new Map([...app.feesOwed, [extra, 0n] as [string, bigint]].reverse()),
          unpaid: new Map([...app.unpaid].reverse()),
        };
        expect(toHex(encodeEntry({ kind: 'application', value: shuffled }))).toBe(toHex(encodeEntry({ kind: 'application', value: app })));
      }),
      { numRuns: 100 },
    );
  });

  it('leaves zero token balances out of an account encoding', () => {
    const withZero = account(alice.did, 5n, [[bob.did, 0n]]);
    expect(toHex(encodeAccount(withZero))).toBe(toHex(encodeAccount(account(alice.did, 5n))));
  });

  it('names entries by kind and id, and keys the trie by sha3 of the name', () => {
    expect(stateKey('account', alice.did)).toBe(`account:${alice.did}`);
    expect(stateKey('grant', grantId(alice.did, bob.did))).toBe(`grant:${alice.did}/${bob.did}`);
    expect(toHex(stateKeyHash('account:x'))).toBe(toHex(sha3(utf8('account:x'))));
    const entry: StateEntry = { kind: 'account', value: account(alice.did, 1n) };
    expect(writeKey(entry)).toBe(`account:${alice.did}`);
    expect(writeKey({ kind: 'grant', key: 'grant:a/b', value: null })).toBe('grant:a/b');
    expect(toHex(entryValueHash(entry))).toBe(toHex(sha3(encodeEntry(entry))));
  });
});

describe('Overlay', () => {
  const base = new MemoryState();
  base.commit([{ kind: 'account', value: account(alice.did, 10n) }], false);

  it('reads through to its base until an entry is written', () => {
    const overlay = new Overlay(base);
    expect(overlay.account(alice.did)?.balance).toBe(10n);
    overlay.put({ kind: 'account', value: account(alice.did, 3n) });
    expect(overlay.account(alice.did)?.balance).toBe(3n);
    expect(base.account(alice.did)?.balance).toBe(10n);
  });

  it('hides a removed entry even when the base has it', () => {
    const grant = { payer: alice.did, grantee: bob.did, allowance: 5n, spent: 0n, expiresAtMs: 1 };
    const withGrant = new MemoryState();
    withGrant.commit([{ kind: 'grant', value: grant }], false);
    const overlay = new Overlay(withGrant);
    expect(overlay.grant(alice.did, bob.did)).toEqual(grant);
    overlay.remove('grant', stateKey('grant', grantId(alice.did, bob.did)));
    expect(overlay.grant(alice.did, bob.did)).toBeUndefined();
  });

  it('moves its writes into another overlay on merge, the later write winning', () => {
    const block = new Overlay(base);
    block.put({ kind: 'account', value: account(bob.did, 1n) });
    const tx = new Overlay(block);
    tx.put({ kind: 'account', value: account(bob.did, 2n) });
    expect(block.account(bob.did)?.balance).toBe(1n);
    tx.mergeInto(block);
    expect(block.account(bob.did)?.balance).toBe(2n);
    expect(block.writes.size).toBe(1);
  });
});

describe('state root', () => {
  const writesArb = fc.uniqueArray(entryArb, { minLength: 1, maxLength: 12, selector: (e) => writeKey(e) });

  it('depends on the set of entries, not the order they were written in', () => {
    fc.assert(
      fc.property(writesArb, (entries) => {
        const forward = new MemoryTrie().fold(entries);
        const backward = new MemoryTrie().fold([...entries].reverse());
        expect(toHex(backward)).toBe(toHex(forward));
      }),
      { numRuns: 50 },
    );
  });

  it('returns to the previous root when an added entry is removed, and ignores removing what is absent', () => {
    fc.assert(
      fc.property(writesArb, entryArb, (entries, extra) => {
        fc.pre(!entries.some((e) => writeKey(e) === writeKey(extra)));
        const trie = new MemoryTrie();
        const before = toHex(trie.fold(entries));
        const removal: StateWrite = { kind: extra.kind, key: writeKey(extra), value: null };
        expect(toHex(trie.fold([removal]))).toBe(before);
        trie.fold([extra]);
        expect(toHex(trie.root)).not.toBe(before);
        expect(toHex(trie.fold([removal]))).toBe(before);
      }),
      { numRuns: 50 },
    );
  });
});
