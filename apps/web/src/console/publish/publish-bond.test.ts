import { describe, expect, it } from 'vitest';
import { newNameBond } from './publish-bond.ts';

const ABT = 10n ** 18n;

describe('the bond a new component name needs', () => {
  it('asks a publisher with no bond for the publish stake of one name', () => {
    expect(newNameBond({ bonded: 0n, names: 0, publishStake: ABT })).toEqual({ names: 1, required: ABT, short: ABT });
  });

  it('counts the names the bond backs already: a second name needs twice the stake', () => {
    expect(newNameBond({ bonded: ABT, names: 1, publishStake: ABT })).toEqual({ names: 2, required: 2n * ABT, short: ABT });
  });

  it('asks nothing more when the bond covers one more name', () => {
    expect(newNameBond({ bonded: 5n * ABT, names: 2, publishStake: ABT }).short).toBe(0n);
  });
});
