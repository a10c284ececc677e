import { ClientError } from '@arc/client';
import { describe, expect, it } from 'vitest';
import { explainError } from './explain-error.ts';
import { isActive } from './nav-items.ts';

describe('explainError', () => {
  it("splits the catalogue's sentence into what happened and what to do", () => {
    const explained = explainError(new ClientError('NETWORK'));
    expect(explained.code).toBe('NETWORK');
    expect(explained.what).toBe('The node could not be reached or did not answer with tRPC.');
    expect(explained.nextStep).toBe('Check the URL, then send again.');
    expect(explained.detail).toBeNull();
    expect(explained.retriable).toBe(true);
  });

  it("keeps the raiser's more precise message as the detail", () => {
    const explained = explainError(new ClientError('NETWORK', 'the node could not be reached: fetch failed'));
    expect(explained.detail).toBe('the node could not be reached: fetch failed');
  });

  it('says something plain about a value that is not an operating error', () => {
    const explained = explainError(new TypeError('x is undefined'));
    expect(explained.code).toBeNull();
    expect(explained.what).toBe('Something went wrong on this page.');
    expect(explained.detail).toBe('x is undefined');
  });
});

describe('isActive', () => {
  it('marks the home area only on the home page, and the others on their sub-pages', () => {
    expect(isActive('/', '/')).toBe(true);
    expect(isActive('/', '/explorer')).toBe(false);
    expect(isActive('/explorer', '/explorer/tx/abc')).toBe(true);
    expect(isActive('/wallet', '/walletx')).toBe(false);
  });
});
