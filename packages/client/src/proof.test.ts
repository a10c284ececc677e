import { tokenAddress } from '@arc/core';
import { describe, expect, it } from 'vitest';
import { ClientError } from './errors.ts';
import { verifyAccountResponse } from './proof.ts';
import type { AccountResponse } from './schemas.ts';
import { accountWith, FakeState } from './testing/fake-state.ts';
import { Wallet } from './wallet.ts';

const [alice, bob, carol] = [Wallet.generate(), Wallet.generate(), Wallet.generate()] as const;
const xyz = tokenAddress('XYZ');
const state = new FakeState().put(accountWith(alice.did, 1000n, 3, [[xyz, 7n]]), accountWith(bob.did, 5n));

function code(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return error instanceof ClientError ? error.code : String(error);
  }
  return 'accepted';
}

function tampered(did: string, change: (r: AccountResponse) => void): AccountResponse {
  const response = structuredClone(state.accountResponse(did));
  change(response);
  return response;
}

describe('verifyAccountResponse', () => {
  it('accepts an honest answer and returns the proven numbers', () => {
    const account = verifyAccountResponse(alice.did, state.accountResponse(alice.did));
    expect(account).toMatchObject({ did: alice.did, exists: true, nonce: 3, balance: 1000n });
    expect(account.tokens).toEqual([{ address: xyz, symbol: 'TOK', decimals: 6, amount: 7n }]);
  });

  it('accepts a proof that an unknown account does not exist', () => {
    const account = verifyAccountResponse(carol.did, state.accountResponse(carol.did));
    expect(account).toMatchObject({ exists: false, nonce: 0, balance: 0n, tokens: [] });
  });

  it('rejects a balance that is not the proven one', () => {
    expect(
      code(() =>
        verifyAccountResponse(
          alice.did,
          tampered(alice.did, (r) => (r.balance += 1n)),
        ),
      ),
    ).toBe('PROOF_INVALID');
    expect(
      code(() =>
        verifyAccountResponse(
          alice.did,
          tampered(alice.did, (r) => (r.nonce = 9)),
        ),
      ),
    ).toBe('PROOF_INVALID');
    expect(
      code(() =>
        verifyAccountResponse(
          alice.did,
          tampered(alice.did, (r) => (r.tokens = [])),
        ),
      ),
    ).toBe('PROOF_INVALID');
  });

  it('rejects a changed value, sibling or root', () => {
    const flip = (hex: string) => (hex[0] === '0' ? '1' : '0') + hex.slice(1);
    expect(
      code(() =>
        verifyAccountResponse(
          alice.did,
          tampered(alice.did, (r) => (r.proof.stateRoot = flip(r.proof.stateRoot))),
        ),
      ),
    ).toBe('PROOF_INVALID');
    expect(
      code(() =>
        verifyAccountResponse(
          alice.did,
          tampered(alice.did, (r) => {
            r.proof.siblings[0] = flip(r.proof.siblings[0] as string);
          }),
        ),
      ),
    ).toBe('PROOF_INVALID');
    const richer = new FakeState().put(accountWith(alice.did, 10n ** 30n, 3, [[xyz, 7n]]));
    const forged = tampered(alice.did, (r) => {
      r.proof.value = richer.accountResponse(alice.did).proof.value;
      r.balance = 10n ** 30n;
    });
    expect(code(() => verifyAccountResponse(alice.did, forged))).toBe('PROOF_INVALID');
  });

  it("rejects another account's proof and a false claim of absence", () => {
    expect(code(() => verifyAccountResponse(alice.did, state.accountResponse(bob.did)))).toBe('PROOF_INVALID');
    const bobAsAlice = tampered(bob.did, (r) => (r.did = alice.did));
    expect(code(() => verifyAccountResponse(alice.did, bobAsAlice))).toBe('PROOF_INVALID');
    const hidden = tampered(alice.did, (r) => {
      Object.assign(r, { exists: false, nonce: 0, balance: 0n, tokens: [], moniker: '' });
      r.proof.value = null;
    });
    expect(code(() => verifyAccountResponse(alice.did, hidden))).toBe('PROOF_INVALID');
  });

  it('rejects garbage in the proof without crashing', () => {
    expect(
      code(() =>
        verifyAccountResponse(
          alice.did,
          tampered(alice.did, (r) => (r.proof.value = 'ff')),
        ),
      ),
    ).toBe('PROOF_INVALID');
    expect(
      code(() =>
        verifyAccountResponse(
          alice.did,
          tampered(alice.did, (r) => (r.proof.siblings = ['abcd'])),
        ),
      ),
    ).toBe('PROOF_INVALID');
  });
});
