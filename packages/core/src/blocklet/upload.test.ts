import { describe, expect, it } from 'vitest';
import { isUploadedSource, UPLOAD_LIMITS, uploadLimitProblem } from './upload.ts';

describe('blocklet upload rules', () => {
  it('uploads JavaScript, TypeScript and JSON sources, never the manifest, dotfiles, node_modules or .git', () => {
    expect(['index.ts', 'lib/util.mjs', 'data/table.json', 'types.d.ts', 'ui/App.tsx'].every(isUploadedSource)).toBe(true);
    expect(
      ['blocklet.yml', 'blocklet.json', 'README.md', '.env.js', 'node_modules/x/index.js', '.git/hooks/a.js', 'src/.cache/b.ts'].some(
        isUploadedSource,
      ),
    ).toBe(false);
  });

  it('names the file over the per-file limit and the limit itself', () => {
    expect(
      uploadLimitProblem([
        ['index.ts', 10],
        ['big.ts', 600 * 1024],
      ]),
    ).toBe('big.ts is 600.0 KB; a source file is at most 512.0 KB');
  });

  it('refuses too many files and too many bytes in all, and accepts what fits', () => {
    const many = Array.from({ length: UPLOAD_LIMITS.filesMax + 1 }, (_, i) => [`f${i}.ts`, 1] as [string, number]);
    expect(uploadLimitProblem(many)).toMatch(/more than 200 source files/);
    const heavy = Array.from({ length: 9 }, (_, i) => [`f${i}.ts`, UPLOAD_LIMITS.fileBytesMax] as [string, number]);
    expect(uploadLimitProblem(heavy)).toBe('the sources are over 4096.0 KB in all');
    expect(uploadLimitProblem([['index.ts', 1000]])).toBeNull();
  });
});
