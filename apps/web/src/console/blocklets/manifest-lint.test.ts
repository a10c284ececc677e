import { blockletTemplateFiles, didFromPublicKey, keyPairFromSeed } from '@arc/core';
import { describe, expect, it } from 'vitest';
import { manifestDiagnostics } from './manifest-lint.ts';

const author = didFromPublicKey(keyPairFromSeed(new Uint8Array(32).fill(3)).publicKey);
const oracle = blockletTemplateFiles({ name: 'price-feed', author, template: 'oracle' })['blocklet.yml'];

describe('manifest lint', () => {
  it('finds nothing wrong in a template manifest', () => {
    expect(manifestDiagnostics(oracle)).toEqual([]);
  });

  it('marks a bad version on its own line with the schema sentence', () => {
    const text = oracle.replace('version: 1.0.0', 'version: one');
    const [problem, ...rest] = manifestDiagnostics(text);
    expect(rest).toEqual([]);
    expect(problem?.line).toBe(2);
    expect(problem?.message).toBe('version: a version is semver, e.g. 1.0.0');
    expect(text.slice(problem?.from, problem?.to)).toBe('one');
  });

  it('marks a bad cron schedule deep in the document at its line', () => {
    const text = oracle.replace('"*/5 * * * *"', '"every five minutes"');
    const lines = text.split('\n');
    const expected = lines.findIndex((l) => l.includes('every five minutes')) + 1;
    const [problem] = manifestDiagnostics(text);
    expect(problem?.line).toBe(expected);
    expect(problem?.message).toMatch(/^triggers\.0\.schedule: a schedule is 5 cron fields/);
  });

  it('marks YAML that does not parse where the parser stopped', () => {
    const text = `${oracle}limits: [unclosed\n`;
    const problems = manifestDiagnostics(text);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]?.line).toBeGreaterThanOrEqual(text.split('\n').length - 2);
    expect(problems.every((p) => p.from <= p.to && p.to <= text.length)).toBe(true);
  });
});
