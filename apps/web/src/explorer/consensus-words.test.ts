import { FINAL_STEP } from '@arc/core';
import { describe, expect, it } from 'vitest';
import { attemptOrdinal, attemptWords, formatMs, percent, stepName, stepNameWithNumber, weightNeeded } from './consensus-words.ts';

describe('consensus in words', () => {
  it('names the final step, binary steps from 1 and the two reduction steps', () => {
    expect(stepName(FINAL_STEP)).toBe('final step');
    expect(stepName(3)).toBe('binary step 1');
    expect(stepName(7)).toBe('binary step 5');
    expect(stepName(1)).toBe('reduction step 1');
    expect(stepName(0)).toBe('proposals');
    expect(stepNameWithNumber(3)).toBe('binary step 1 (step 3)');
    expect(stepNameWithNumber(FINAL_STEP)).toBe('final step');
  });

  it('needs a weight strictly above two thirds', () => {
    expect(weightNeeded(4000, { num: 2, den: 3 })).toBe(2667);
    expect(weightNeeded(3, { num: 2, den: 3 })).toBe(3);
    expect(weightNeeded(300, { num: 2, den: 3 })).toBe(201);
  });

  it('says which attempt decided, counting from the first', () => {
    expect(attemptWords(0)).toBe('the first attempt');
    expect(attemptWords(1)).toBe('the 2nd attempt (the one before it ended with no block)');
    expect(attemptWords(3)).toBe('the 4th attempt (the 3 before it ended with no block)');
    expect([0, 1, 2, 3, 10, 11, 20].map(attemptOrdinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '21st']);
  });

  it('shows shares with at most one decimal', () => {
    expect(percent(1000, 4000)).toBe('25%');
    expect(percent(2, 3)).toBe('66.7%');
    expect(percent(1, 0)).toBe('—');
    expect(formatMs(12_904.4)).toBe('12,904 ms');
  });
});
