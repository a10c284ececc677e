import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHAINS, loadOcapConfig, parseOcapConfig } from './config.ts';

async function file(text: string) {
  const path = join(await mkdtemp(join(tmpdir(), 'ocap-config-')), 'ocap.json');
  await writeFile(path, text);
  return path;
}

describe('the OCAP chain config', () => {
  it('reaches the native ledger and a mock chain when nothing is configured', async () => {
    expect((await loadOcapConfig({})).chains).toEqual(DEFAULT_CHAINS);
  });

  it('adds ethereum and bitcoin chains from the environment shortcuts', async () => {
    const config = await loadOcapConfig({
      ETHEREUM_RPC_URL: 'http://127.0.0.1:8545',
      BITCOIN_RPC_URL: 'http://127.0.0.1:18443',
      BITCOIN_RPC_USER: 'u',
    });
    expect(config.chains.map((c) => c.name)).toEqual(['arc', 'mock', 'ethereum', 'bitcoin']);
    expect(config.chains[3]).toMatchObject({ adapter: 'bitcoin', network: 'regtest', user: 'u' });
  });

  it('reads a config file, filling defaults', async () => {
    const path = await file(
      JSON.stringify({
        chains: [
          { name: 'sepolia', adapter: 'ethereum', rpcUrl: 'https://rpc.example' },
          { name: 'sim', adapter: 'mock' },
        ],
      }),
    );
    const config = await loadOcapConfig({ OCAP_CONFIG_FILE: path });
    expect(config.chains).toEqual([
      { name: 'sepolia', adapter: 'ethereum', rpcUrl: 'https://rpc.example' },
      { name: 'sim', adapter: 'mock', blockTimeMs: 2000, balances: {} },
    ]);
  });

  it('says what is wrong with a bad file, naming the place', async () => {
    await expect(loadOcapConfig({ OCAP_CONFIG_FILE: '/nonexistent/ocap.json' })).rejects.toThrow(/Cannot read OCAP_CONFIG_FILE/);
    await expect(loadOcapConfig({ OCAP_CONFIG_FILE: await file('{ not json') })).rejects.toThrow(/is not JSON/);
    const bad = await file(
      JSON.stringify({
        chains: [
          { name: 'Bad Name', adapter: 'ethereum', rpcUrl: 'ftp://x' },
          { name: 'x', adapter: 'solana' },
        ],
      }),
    );
    const error = await loadOcapConfig({ OCAP_CONFIG_FILE: bad }).catch((e: Error) => e);
    expect(String(error)).toMatch(/chains\.0\.name: a chain name is/);
    expect(String(error)).toMatch(/chains\.0\.rpcUrl/);
    expect(String(error)).toMatch(/chains\.1\.adapter/);
  });

  it('refuses two chains with one name and unknown fields', () => {
    expect(() =>
      parseOcapConfig(
        {
          chains: [
            { name: 'a', adapter: 'native' },
            { name: 'a', adapter: 'native' },
          ],
        },
        'x',
      ),
    ).toThrow(/unique/);
    expect(() => parseOcapConfig({ chains: [{ name: 'a', adapter: 'native', rpcUrl: 'http://x' }] }, 'x')).toThrow(/rpcUrl|Unrecognized/);
  });
});
