import { describe, expect, it } from 'vitest';
import { FolderProblem, type PickedFile, readPickedFolder, sourceSizes } from './folder-upload.ts';

function picked(path: string, text: string, size = new TextEncoder().encode(text).length): PickedFile {
  return { webkitRelativePath: `my-blocklet/${path}`, name: path.split('/').pop() ?? path, size, text: async () => text };
}

describe('folder upload', () => {
  it('keeps the manifest and the sources the CLI would upload, by path inside the folder', async () => {
    const source = await readPickedFolder([
      picked('blocklet.yml', 'name: x'),
      picked('index.ts', 'export default {}'),
      picked('lib/util.js', 'export const a = 1'),
      picked('README.md', '# x'),
      picked('node_modules/dep/index.js', ''),
      picked('.git/config.json', '{}'),
    ]);
    expect(source.manifestFile).toBe('blocklet.yml');
    expect(source.manifestText).toBe('name: x');
    expect(Object.keys(source.files)).toEqual(['index.ts', 'lib/util.js']);
    expect(source.sourceBytes).toBe(35);
  });

  it('refuses a folder without a manifest at its top', async () => {
    await expect(readPickedFolder([picked('src/blocklet.yml', ''), picked('index.ts', '')])).rejects.toThrow(
      /no blocklet\.yml \(or blocklet\.json\) at its top/,
    );
  });

  it('refuses an oversize file before reading anything, naming the file and the limit', async () => {
    const error = await readPickedFolder([picked('blocklet.yml', 'name: x'), picked('big.js', 'x', 600 * 1024)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FolderProblem);
    expect((error as Error).message).toBe('big.js is 600.0 KB; a source file is at most 512.0 KB');
  });

  it('measures edited sources in UTF-8 bytes', () => {
    expect(sourceSizes({ 'a.ts': 'é' })).toEqual([['a.ts', 2]]);
  });
});
