import { describe, expect, it } from 'vitest';
import { loadDraft, nextPatch, saveDraft, withManifestVersion } from './drafts.ts';

describe('drafts', () => {
  it('saves and loads a draft per blocklet, and ignores a broken one', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    saveDraft('feed', { 'index.ts': 'x' }, 5, storage);
    expect(loadDraft('feed', storage)).toEqual({ files: { 'index.ts': 'x' }, updatedAtMs: 5 });
    expect(loadDraft('other', storage)).toBeNull();
    store.set('arc:blocklet-draft:bad', '{');
    expect(loadDraft('bad', storage)).toBeNull();
  });

  it('raises the patch version in YAML, keeping a comment', () => {
    expect(nextPatch('1.0.9')).toBe('1.0.10');
    expect(withManifestVersion('blocklet.yml', 'name: a\nversion: 1.0.0 # bump me\ntitle: A\n', '1.0.1')).toBe(
      'name: a\nversion: 1.0.1 # bump me\ntitle: A\n',
    );
    expect(withManifestVersion('blocklet.json', '{"name":"a","version":"1.0.0"}', '2.0.0')).toContain('"version": "2.0.0"');
  });
});
