import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveDid, utf8 } from '@arc/core';
import { describe, expect, it } from 'vitest';
import { devBridgeSignerDids } from '../economy/bridge/dev.ts';
import { parseEnv } from './env.ts';
import {
  BRIDGE_ESCROW_DID_DEFAULT,
  ECONOMY_PARAMS_DEFAULT,
  nodeChainParams,
  PUBLISH_STAKE_DEFAULT,
  parseGenesis,
  TREASURY_DID_DEFAULT,
} from './genesis.ts';
import { loadOrCreateNodeKey } from './node-key.ts';
import { DEV_GENESIS_FILE } from './node-options.ts';

describe('node configuration', () => {
  it('fills defaults and names each bad environment variable', () => {
    expect(parseEnv({})).toMatchObject({ HOST: '127.0.0.1', PORT: 8080, DATA_DIR: './data', VERIFY_THREADS: 2 });
    expect(() => parseEnv({ PORT: 'abc', BLOCK_INTERVAL_MS: '5', DATABASE_URL: 'not a url' })).toThrow(
      /PORT[\s\S]*DATABASE_URL|DATABASE_URL[\s\S]*PORT/,
    );
    // FOLLOW_URL names a node over HTTP(S), nothing else.
    expect(parseEnv({ FOLLOW_URL: 'https://node.example:8080' }).FOLLOW_URL).toBe('https://node.example:8080');
    for (const bad of ['not a url', 'ftp://node.example', 'file:///etc/passwd'])
      expect(() => parseEnv({ FOLLOW_URL: bad })).toThrow(/FOLLOW_URL/);
  });

  it('reads the committed dev genesis with ABT at 18 decimals', async () => {
    const genesis = parseGenesis(await readFile(DEV_GENESIS_FILE, 'utf8'), 'dev.json');
    expect(genesis.chainId).toBe('arc-dev');
    expect(genesis.nativeToken).toEqual({ symbol: 'ABT', name: 'ArcBlock Token', decimals: 18 });
    expect(genesis.params.minFee).toBe(10n ** 14n);
  });

  it('refuses a genesis with a bad DID, a fractional amount or other decimals, saying where', async () => {
    const good = JSON.parse(await readFile(DEV_GENESIS_FILE, 'utf8'));
    const bad = {
      ...good,
      nativeToken: { symbol: 'ABT', name: 'x', decimals: 6 },
      allocations: [{ did: 'did:abt:z1nope', amount: '1.5' }],
    };
    const error = (() => {
      try {
        parseGenesis(JSON.stringify(bad), 'bad.json');
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(error).toMatch(/bad\.json is not a valid genesis file/);
    expect(error).toMatch(/nativeToken\.decimals/);
    expect(error).toMatch(/allocations\.0\.did: not a valid did:abt: DID/);
    expect(error).toMatch(/allocations\.0\.amount/);
    expect(() => parseGenesis('{nope', 'x.json')).toThrow(/x\.json is not JSON/);
  });

  it('gives a genesis without economy params the defaults, and a dev node the settler and validator roles', async () => {
    const genesis = parseGenesis(await readFile(DEV_GENESIS_FILE, 'utf8'), 'dev.json');
    // The dev chain names only its bridge signers (the well-known dev keys of economy/bridge/dev.ts).
    expect(genesis.params.economy).toEqual({ ...ECONOMY_PARAMS_DEFAULT, bridgeSigners: devBridgeSignerDids(), bridgeThreshold: 2 });
    expect(ECONOMY_PARAMS_DEFAULT).toMatchObject({
      treasuryBps: 1000,
      billingPeriodMs: 30 * 86_400_000,
      slashThreshold: 1,
      validators: [],
    });
    // Well-known accounts: the same on every node and in every release.
    expect([TREASURY_DID_DEFAULT, BRIDGE_ESCROW_DID_DEFAULT]).toEqual([
      'did:abt:z1n1CKMKKAgT9dFyswgU7GuV6FuhsS5LrBw',
      'did:abt:z1YMq3CCSx7vHWYMxrHFwy9m8yp8WHrftyQ',
    ]);
    const node = deriveDid(utf8('config-test:node'), 'node');
    const params = nodeChainParams(genesis, node);
    expect(params.economy).toMatchObject({ settlers: [node], validators: [node], slashThreshold: 1 });
    expect(nodeChainParams({ ...genesis, chainId: 'arc-main' }, node).economy).toEqual(genesis.params.economy);
  });

  it('reads the publish stake from economy.publishStake, still takes the deprecated market.publishStake, and refuses both differing', async () => {
    const good = JSON.parse(await readFile(DEV_GENESIS_FILE, 'utf8'));
    const withParams = (params: object) => parseGenesis(JSON.stringify({ ...good, params: { ...good.params, ...params } }), 'g.json');
    expect(withParams({}).params.economy.publishStake).toBe(PUBLISH_STAKE_DEFAULT);
    expect(withParams({ economy: { publishStake: '5' } }).params.economy.publishStake).toBe(5n);
    const legacy = withParams({ market: { publishStake: '7' } }).params;
    expect(legacy.economy.publishStake).toBe(7n);
    expect(legacy.market).toEqual({ moderators: [], usageReporters: [] });
    expect(withParams({ market: { publishStake: '7' }, economy: { publishStake: '7' } }).params.economy.publishStake).toBe(7n);
    expect(() => withParams({ market: { publishStake: '7' }, economy: { publishStake: '8' } })).toThrow(
      /params\.market\.publishStake: .*keep economy\.publishStake only/,
    );
  });

  it('refuses economy thresholds above their lists and shares above 100%, saying what to fix', async () => {
    const good = JSON.parse(await readFile(DEV_GENESIS_FILE, 'utf8'));
    const validator = good.allocations[0].did;
    const economy = { validators: [validator], slashThreshold: 2, bridgeThreshold: 3, treasuryBps: 10_001, graceMs: 10 };
    const error = (() => {
      try {
        parseGenesis(JSON.stringify({ ...good, params: { ...good.params, economy } }), 'bad.json');
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(error).toMatch(/params\.economy\.treasuryBps: .*at most 10000/);
    expect(error).toMatch(/params\.economy\.graceMs: a period is at least 1000 ms/);
    // The list checks run once the fields themselves parse.
    const thresholds = { validators: [validator], slashThreshold: 2 };
    expect(() => parseGenesis(JSON.stringify({ ...good, params: { ...good.params, economy: thresholds } }), 'bad.json')).toThrow(
      /params\.economy\.slashThreshold: slashThreshold asks for more approvals than there are validators: lower it or list more validators/,
    );
    // With no bridge signers listed, any threshold stands (the bridge is off).
    expect(
      parseGenesis(JSON.stringify({ ...good, params: { ...good.params, economy: { bridgeThreshold: 3 } } }), 'ok.json').params.economy
        .bridgeThreshold,
    ).toBe(3);
  });

  it('creates a node key once and reads the same key back; a damaged key file stops the start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'arc-key-'));
    const path = join(dir, 'node-key.json');
    const first = await loadOrCreateNodeKey(path);
    expect(await loadOrCreateNodeKey(path)).toEqual(first);
    await writeFile(path, '{"secretKey":"zz"}');
    await expect(loadOrCreateNodeKey(path)).rejects.toThrow(/is not a node key file/);
    await writeFile(path, '');
    await expect(loadOrCreateNodeKey(path)).rejects.toThrow(/is not JSON/);
  });
});
