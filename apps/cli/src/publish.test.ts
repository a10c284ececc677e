import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from '@arc/client';
import { parseManifest } from '@arc/core';
import { describe, expect, it } from 'vitest';
import { run } from './cli.ts';
import { MarketFileSchema, publishFields, readMarketFile } from './commands/publish.ts';
import { captureIo } from './testing.ts';

/** A home with a key file and a blocklet project (from `arc blocklet init`) authored by that key. */
async function project() {
  const home = mkdtempSync(join(tmpdir(), 'arc-publish-'));
  const wallet = Wallet.generate();
  mkdirSync(join(home, '.arc'));
  writeFileSync(join(home, '.arc', 'key.json'), JSON.stringify(wallet.toJSON()));
  const dir = join(home, 'price-feed');
  const init = await arc(['blocklet', 'init', dir, '--template', 'oracle'], home);
  expect(init.status).toBe(0);
  return { home, dir, did: wallet.did };
}

async function arc(argv: string[], home: string) {
  // A port nothing listens on: a test that got as far as the network would fail loudly, not hang.
  const cap = captureIo({ HOME: home, ARC_NODE_URL: 'http://127.0.0.1:9' });
  const status = await run(argv, cap.io);
  return { status, stdout: cap.stdout(), stderr: cap.stderr() };
}

const AUTHOR = Wallet.generate().did;
const FRIEND = Wallet.generate().did;
const MANIFEST = `name: oracle-feed
version: 1.2.0
title: Oracle feed
description: |
  Prices from two exchanges, medianised every minute.
  More words here.
author: ${AUTHOR}
permissions:
  chains:
    - chain: ethereum
    - chain: arc
      send: true
payment:
  price: "2000"
`;

describe('arc publish: reading the folder', () => {
  it('refuses a folder without README.md, naming the file and what to do', async () => {
    const { home, dir } = await project();
    rmSync(join(dir, 'README.md'));
    const result = await arc(['publish', dir], home);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('error README_MISSING');
    expect(result.stderr).toContain(join(dir, 'README.md'));
    expect(result.stderr).toContain('write one');
  });

  it('refuses beneficiaries whose shares do not add up to 10,000 before anything is sent', async () => {
    const { home, dir, did } = await project();
    writeFileSync(
      join(dir, 'market.json'),
      JSON.stringify({
        beneficiaries: [
          { did, shareBps: 6000 },
          { did: FRIEND, shareBps: 3000 },
        ],
      }),
    );
    const result = await arc(['publish', dir], home);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('add up to 9000 basis points');
    expect(result.stderr).toContain('exactly 10000');
    expect(result.stderr).not.toContain('NETWORK');
  });

  it('refuses a market.json that is not JSON or has an unknown field, naming the file and the field', async () => {
    const { home, dir } = await project();
    writeFileSync(join(dir, 'market.json'), '{ kind: blocklet');
    expect((await arc(['publish', dir], home)).stderr).toContain(`${join(dir, 'market.json')} is not JSON`);
    writeFileSync(join(dir, 'market.json'), JSON.stringify({ kind: 'plugin' }));
    expect((await arc(['publish', dir], home)).stderr).toMatch(/market\.json: kind: /);
    writeFileSync(join(dir, 'market.json'), JSON.stringify({ categories: ['Oracles!'] }));
    expect((await arc(['publish', dir], home)).stderr).toContain('categories.0: a category or chain is');
  });

  it('refuses to publish a project whose author is another key', async () => {
    const { home, dir } = await project();
    const other = Wallet.generate();
    writeFileSync(join(home, '.arc', 'key.json'), JSON.stringify(other.toJSON()));
    const result = await arc(['publish', dir], home);
    expect(result.stderr).toContain('only the author publishes');
  });

  it('gets as far as the node with a complete folder (upload is the first network step)', async () => {
    const { home, dir } = await project();
    const result = await arc(['publish', dir], home);
    expect(result.stdout).toContain('uploading bundle…');
    expect(result.stderr).toContain('error NETWORK');
  });

  it('reads an absent market.json as every default', async () => {
    const { dir } = await project();
    expect(await readMarketFile(dir)).toEqual({ kind: 'blocklet', categories: ['other'], releaseNotes: '' });
  });
});

describe('arc publish: the fields of publishComponent', () => {
  const manifest = parseManifest(MANIFEST);
  const me = manifest.author;

  it("defaults from the manifest: its description's first line, its chains, its per-call price, all to the publisher", () => {
    const fields = publishFields(manifest, MarketFileSchema.parse({}), me);
    expect(fields).toEqual({
      kind: 'blocklet',
      description: 'Prices from two exchanges, medianised every minute.',
      categories: ['other'],
      chains: ['ethereum', 'arc'],
      price: { model: 'perCall', amount: 2000n },
      beneficiaries: [{ did: me, shareBps: 10_000 }],
      releaseNotes: '',
    });
  });

  it('takes market.json over the manifest', () => {
    const market = MarketFileSchema.parse({
      kind: 'component',
      description: 'One line',
      categories: ['oracles', 'defi'],
      chains: ['bitcoin'],
      price: { model: 'perMonth', amount: '5000' },
      beneficiaries: [
        { did: me, shareBps: 7000 },
        { did: FRIEND, shareBps: 3000 },
      ],
      releaseNotes: 'Adds a third exchange.',
    });
    const fields = publishFields(manifest, market, me);
    expect(fields).toMatchObject({
      kind: 'component',
      description: 'One line',
      categories: ['oracles', 'defi'],
      chains: ['bitcoin'],
      price: { model: 'perMonth', amount: 5000n },
      releaseNotes: 'Adds a third exchange.',
    });
    expect(fields.beneficiaries.map((b) => b.shareBps)).toEqual([7000, 3000]);
  });

  it('refuses a beneficiary named twice', () => {
    const market = MarketFileSchema.parse({
      beneficiaries: [
        { did: me, shareBps: 5000 },
        { did: me, shareBps: 5000 },
      ],
    });
    expect(() => publishFields(manifest, market, me)).toThrow(/appears twice/);
  });

  it('refuses a paid model with no amount, and a free model with one', () => {
    expect(() => publishFields(manifest, MarketFileSchema.parse({ price: { model: 'perCall', amount: '0' } }), me)).toThrow(
      /0 exactly when price.model is free/,
    );
    expect(() => publishFields(manifest, MarketFileSchema.parse({ price: { model: 'free', amount: '5' } }), me)).toThrow(
      /0 exactly when price.model is free/,
    );
  });

  it('cuts a long description to the ledger bound without splitting a character', () => {
    const long = parseManifest(MANIFEST.replace('Prices from two exchanges', `Prices ${'é'.repeat(150)}`));
    const { description } = publishFields(long, MarketFileSchema.parse({}), me);
    expect(new TextEncoder().encode(description).length).toBeLessThanOrEqual(200);
    expect(description.endsWith('é')).toBe(true);
  });
});
