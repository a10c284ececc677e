import { describe, expect, it } from 'vitest';
import { keyPairFromSeed } from '../crypto/index.ts';
import { didFromPublicKey } from '../did/index.ts';
import { parseManifest } from './manifest.ts';
import { BLOCKLET_TEMPLATE_INFO, BLOCKLET_TEMPLATES, blockletTemplateFiles } from './templates.ts';

const AUTHOR = didFromPublicKey(keyPairFromSeed(new Uint8Array(32).fill(7)).publicKey);

describe('blocklet templates', () => {
  it.each(BLOCKLET_TEMPLATES)('gives a %s manifest that parses, named and authored as asked, serving its first route', (template) => {
    const files = blockletTemplateFiles({ name: `my-${template}`, author: AUTHOR, template });
    const manifest = parseManifest(files['blocklet.yml']);
    expect(manifest).toMatchObject({ name: `my-${template}`, version: '1.0.0', author: AUTHOR, entry: 'index.ts' });
    expect(manifest.interfaces.http.map((r) => r.path)).toContain(BLOCKLET_TEMPLATE_INFO[template].route);
    expect(files['index.ts']).toContain('export default {');
    expect(files['index.ts']).toContain('async fetch(');
  });

  it('gives each template its own trigger: none for http, cron for cron and oracle, chain for chain-event', () => {
    const triggers = (template: (typeof BLOCKLET_TEMPLATES)[number]) =>
      parseManifest(blockletTemplateFiles({ name: 'x-1', author: AUTHOR, template })['blocklet.yml']).triggers.map((t) => t.type);
    expect(triggers('http')).toEqual([]);
    expect(triggers('cron')).toEqual(['cron']);
    expect(triggers('oracle')).toEqual(['cron']);
    expect(triggers('chain-event')).toEqual(['chain']);
  });
});
