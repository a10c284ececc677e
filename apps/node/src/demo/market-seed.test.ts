import { decodeComponent, decodeComponentVersion, decodeReview, toHex } from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../testing.ts';
import { CATALOGUE } from './market-catalogue.ts';
import { demoKey, seedMarket } from './market-seed.ts';

describe('the demo marketplace seed', () => {
  let node: TestNode;
  let logged = '';
  const text = async (hash: Uint8Array) => {
    const market = node.services.market;
    if (!market) throw new Error('the node runs no market service');
    return market.texts.get(toHex(hash));
  };

  beforeAll(async () => {
    // The node's own start on a fresh dev chain: the demo, the built-in blocklets, then the marketplace.
    node = await startTestNode({ seedDemo: true, blockIntervalMs: 5_000, log: (line) => (logged += `${line}\n`) });
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
  });

  it('publishes every catalogue component, owned by its publisher, with its latest version', async () => {
    expect(logged).toMatch(/seeded the marketplace: 36 components, \d+ versions, \d+ reviews in \d+ transactions/);
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(36);
    const rows = await node.db.query<{ name: string; value: Uint8Array }>('SELECT name, value FROM components');
    expect(rows.map((r) => r.name).sort()).toEqual(CATALOGUE.map((e) => e.name).sort());
    for (const entry of CATALOGUE) {
      const row = rows.find((r) => r.name === entry.name);
      const component = decodeComponent(new Uint8Array(row?.value ?? []));
      expect(component.owner).toBe(demoKey(entry.publisher).did);
      expect(component.kind).toBe(entry.kind);
      expect(component.latestVersion).toBe(entry.versions[entry.versions.length - 1]?.version);
    }
    const kinds = new Set(CATALOGUE.map((e) => e.kind));
    expect([...kinds].sort()).toEqual(['adapter', 'application', 'blocklet', 'component']);
  });

  it('anchors READMEs, bundles and manifests the node holds, and deprecates one version', async () => {
    const versions = await node.db.query<{ value: Uint8Array }>('SELECT value FROM component_versions');
    expect(versions.length).toBeGreaterThan(CATALOGUE.length);
    const decoded = versions.map((v) => decodeComponentVersion(new Uint8Array(v.value)));
    for (const v of decoded) {
      const readme = await text(v.readmeHash);
      expect(readme, `${v.name}@${v.version} README`).toMatch(/^# .+\n[\s\S]*## Usage[\s\S]*```[\s\S]*\| --- \|/);
      if (v.kind === 'adapter') {
        // The adapter's manifest JSON is stored by its hash, with the conformance suite's results.
        const manifest = JSON.parse((await text(v.manifestHash)) ?? 'null');
        expect(manifest.conformance.passed).toBeGreaterThan(20);
        expect(manifest.conformance.failed).toBe(0);
      } else {
        const [bundle] = await node.db.query('SELECT hash FROM blocklet_bundles WHERE hash = $1', [toHex(v.bundleHash)]);
        expect(bundle, `${v.name}@${v.version} bundle`).toBeDefined();
      }
    }
    expect(decoded.filter((v) => v.status === 'deprecated').map((v) => `${v.name}@${v.version}`)).toEqual(['price-median-oracle@1.0.0']);
  });

  it('gives every component 2 to 6 reviews from accounts with recorded use, with texts, and some replies', async () => {
    const rows = await node.db.query<{ value: Uint8Array }>('SELECT value FROM reviews');
    const reviews = rows.map((r) => decodeReview(new Uint8Array(r.value)));
    for (const entry of CATALOGUE) {
      const mine = reviews.filter((r) => r.component === entry.name);
      expect(mine.length, entry.name).toBeGreaterThanOrEqual(2);
      expect(mine.length, entry.name).toBeLessThanOrEqual(6);
      for (const review of mine) expect(await text(review.textHash)).toMatch(/\w/);
    }
    const replied = reviews.filter((r) => r.reply !== null);
    expect(replied.length).toBeGreaterThan(10);
    for (const r of replied) expect(await text(r.reply?.textHash ?? new Uint8Array(32))).toMatch(/\w/);
    const [usage] = await node.db.query<{ n: string | number }>('SELECT count(*) AS n FROM component_usage');
    expect(Number(usage?.n)).toBeGreaterThanOrEqual(CATALOGUE.length * 3);
  });

  it('does not publish twice when run again', async () => {
    const height = node.services.ledger.head.height;
    const { ledger, admission, queries } = node.services;
    const putText = async () => {
      throw new Error('a second run must not store anything');
    };
    expect(await seedMarket({ ledger, admission, queries, db: node.db, now: Date.now, putText })).toBeNull();
    expect(node.services.ledger.head.height).toBe(height);
  });
});
