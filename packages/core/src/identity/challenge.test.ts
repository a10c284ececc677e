import { describe, expect, it } from 'vitest';
import { challengeMessage } from './challenge.ts';

describe('challengeMessage', () => {
  it('binds the nonce and the time, so a signature over one challenge does not fit another', () => {
    const a = challengeMessage('ab', 1);
    expect(new TextDecoder().decode(a)).toBe('arc-login/v1\nab\n1');
    expect(challengeMessage('ab', 2)).not.toEqual(a);
    expect(challengeMessage('ac', 1)).not.toEqual(a);
  });
});
