import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnv } from './env.ts';
import { parseGenesis } from './genesis.ts';
import { loadOrCreateNodeKey } from './node-key.ts';
import { DEV_GENESIS_FILE } from './node-options.ts';

describe('node configuration', () => {
  it('fills defaults and names each bad environment variable', () => {
    expect(parseEnv({})).toMatchObject({ HOST: '127.0.0.1', PORT: 8080, DATA_DIR: './data', VERIFY_THREADS: 2 });
    expect(() => parseEnv({ PORT: 'abc', BLOCK_INTERVAL_MS: '5', DATABASE_URL: 'not a url' })).toThrow(
      /PORT[\s\S]*DATABASE_URL|DATABASE_URL[\s\S]*PORT/,
    );
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
