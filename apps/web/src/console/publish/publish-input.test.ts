import { Wallet } from '@arc/client';
import { toHex } from '@arc/core';
import { describe, expect, it } from 'vitest';
import { listWords, type PublishForm, percentToBps, publishItx, publishProblems, sharesSumBps } from './publish-input.ts';

const me = Wallet.generate().did;
const friend = Wallet.generate().did;

const form = (over: Partial<PublishForm> = {}): PublishForm => ({
  name: 'oracle-feed',
  version: '1.2.0',
  manifestHash: 'ab'.repeat(32),
  bundleHash: 'cd'.repeat(32),
  kind: 'blocklet',
  description: 'Prices from two exchanges.',
  categories: 'oracles, defi',
  chains: 'arc ethereum',
  priceModel: 'perCall',
  priceAbt: '0.002',
  beneficiaries: [
    { did: me, percent: '90' },
    { did: friend, percent: '10' },
  ],
  readme: '# Oracle feed\n',
  releaseNotes: 'Adds a third exchange.',
  ...over,
});

describe('the console publish form', () => {
  it('accepts a complete form and builds the transaction it shows', () => {
    expect(publishProblems(form())).toEqual({});
    const itx = publishItx(form(), new Uint8Array(32).fill(7));
    expect(itx).toMatchObject({
      type: 'publishComponent',
      name: 'oracle-feed',
      version: '1.2.0',
      categories: ['oracles', 'defi'],
      chains: ['arc', 'ethereum'],
      price: { model: 'perCall', amount: 2_000_000_000_000_000n },
      beneficiaries: [
        { did: me, shareBps: 9000 },
        { did: friend, shareBps: 1000 },
      ],
    });
    expect(toHex(itx.manifestHash)).toBe('ab'.repeat(32));
  });

  it('refuses shares that do not add up to 100%, saying the sum', () => {
    const rows = [
      { did: me, percent: '60' },
      { did: friend, percent: '30.5' },
    ];
    expect(sharesSumBps(rows)).toBe(9050);
    expect(publishProblems(form({ beneficiaries: rows })).beneficiaries).toBe(
      'The shares add up to 90.5%; make them add up to exactly 100%.',
    );
    expect(
      publishProblems(
        form({
          beneficiaries: [
            { did: me, percent: '100' },
            { did: friend, percent: '5' },
          ],
        }),
      ).beneficiaries,
    ).toMatch(/105%/);
  });

  it('refuses a beneficiary that is not a DID, a zero share, and more than four rows', () => {
    expect(publishProblems(form({ beneficiaries: [{ did: 'alice', percent: '100' }] })).beneficiaries).toMatch(/did:abt:/);
    expect(
      publishProblems(
        form({
          beneficiaries: [
            { did: me, percent: '0' },
            { did: friend, percent: '100' },
          ],
        }),
      ).beneficiaries,
    ).toMatch(/above 0/);
    expect(
      publishProblems(
        form({
          beneficiaries: [
            { did: me, percent: '50' },
            { did: me, percent: '50' },
          ],
        }),
      ).beneficiaries,
    ).toMatch(/appears twice/);
    const five = Array.from({ length: 5 }, () => ({ did: me, percent: '20' }));
    expect(publishProblems(form({ beneficiaries: five })).beneficiaries).toMatch(/1 to 4/);
  });

  it('names each other problem in its field', () => {
    const problems = publishProblems(
      form({
        manifestHash: '',
        description: 'x'.repeat(201),
        categories: 'Oracles!',
        chains: 'a',
        priceAbt: '0',
        readme: '  ',
        releaseNotes: 'n'.repeat(501),
      }),
    );
    expect(Object.keys(problems).sort()).toEqual(['categories', 'chains', 'description', 'price', 'readme', 'releaseNotes', 'source']);
    expect(publishProblems(form({ categories: '' })).categories).toMatch(/at least one/);
    expect(publishProblems(form({ readme: 'é'.repeat(40_000) })).readme).toMatch(/At most 64 KB/);
  });

  it('reads percentages and lists as people type them', () => {
    expect(percentToBps('12.5')).toBe(1250);
    expect(percentToBps('12.5%')).toBe(1250);
    expect(percentToBps('100')).toBe(10_000);
    expect(percentToBps('1.234')).toBeNull();
    expect(percentToBps('ten')).toBeNull();
    expect(listWords(' Oracles,defi  oracles ')).toEqual(['oracles', 'defi']);
  });

  it('publishes a free component with amount 0', () => {
    expect(publishItx(form({ priceModel: 'free', priceAbt: '5' }), new Uint8Array(32)).price).toEqual({ model: 'free', amount: 0n });
  });
});
