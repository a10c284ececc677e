import { fromHex } from '@arc/core';
import { describe, expect, it } from 'vitest';
import { applicationConsent, signApplicationConsent } from './economy-builders.ts';
import { Wallet } from './wallet.ts';

describe('applicationConsent', () => {
  it('signs the same consent with a Wallet as signApplicationConsent does with its seed', () => {
    const app = Wallet.generate();
    const owner = Wallet.generate().did;
    const fromWallet = applicationConsent(app, 'arc-dev', owner);
    const fromSeed = signApplicationConsent(fromHex(app.secretKeyHex), 'arc-dev', owner);
    expect(fromWallet.application).toBe(app.did);
    expect(fromWallet).toEqual(fromSeed);
  });

  it('names another chain or owner with another signature', () => {
    const app = Wallet.generate();
    const owner = Wallet.generate().did;
    const a = applicationConsent(app, 'arc-dev', owner).applicationSignature;
    expect(applicationConsent(app, 'arc-main', owner).applicationSignature).not.toEqual(a);
    expect(applicationConsent(app, 'arc-dev', Wallet.generate().did).applicationSignature).not.toEqual(a);
  });
});
