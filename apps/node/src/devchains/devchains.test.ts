import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOcapConfig } from '../ocap/config.ts';
import { startTestNode, type TestNode } from '../testing.ts';
import { DEV_TOKEN, type DevChains, startDevChains } from './devchains.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

async function answers(rpcUrl: string): Promise<boolean> {
  try {
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(2000),
    });
    return response.ok;
  } catch {
    return false;
  }
}

describe('the local chains npm start runs', () => {
  let chains: DevChains;
  let node: TestNode;

  beforeAll(async () => {
    chains = await startDevChains({ anvil: true, regtest: true });
    // The node as npm start configures it: the environment shortcuts beside the default chains (arc, mock).
    const { chains: ocapChains } = await loadOcapConfig(chains.nodeEnv);
    node = await startTestNode({ ocapChains });
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
    await chains?.stop();
  });

  it('gives the node four live chains, each with its CAIP-2 id', async () => {
    expect(chains.problems).toEqual([]);
    const listed = await node.services.ocap.list();
    expect(listed.map((chain) => [chain.name, chain.adapter, chain.status])).toEqual([
      ['arc', 'native', 'ok'],
      ['mock', 'mock', 'ok'],
      ['ethereum', 'ethereum', 'ok'],
      ['bitcoin', 'bitcoin', 'ok'],
    ]);
    const ids = Object.fromEntries(listed.map((chain) => [chain.name, chain.info?.chainId]));
    expect(ids.ethereum).toBe('eip155:31337');
    expect(ids.bitcoin).toMatch(/^bip122:/);
    expect(ids.arc).toMatch(/^arc:/);
    expect(ids.mock).toMatch(/^mock:/);
  });

  it('deploys the ERC-20 and ERC-721 test contracts on anvil, with the tokens and asset 1 held by the deployer', async () => {
    const ethereum = node.services.ocap.adapter('ethereum');
    const deployer = chains.ethereum?.deployer as string;
    const token = await ethereum.getTokenInfo(chains.ethereum?.tokenAddress as string);
    expect(token).toMatchObject({ symbol: DEV_TOKEN.symbol, decimals: 18 });
    expect(await ethereum.getTokenBalance(chains.ethereum?.tokenAddress as string, deployer)).toBe(DEV_TOKEN.supply);
    const asset = await ethereum.getAsset(`${chains.ethereum?.assetAddress}:1`);
    expect(asset.owner.toLowerCase()).toBe(deployer.toLowerCase());
  });

  it('moves the regtest head by itself and serves its coins', async () => {
    const bitcoin = node.services.ocap.adapter('bitcoin');
    expect((await bitcoin.getLatestBlock()).height).toBeGreaterThanOrEqual(200);
    expect(await bitcoin.getBalance(chains.bitcoin?.richAddress as string)).toBeGreaterThan(0n);
  });
});

describe('the local chains process', () => {
  it('prints its chains once up and stops anvil on SIGTERM (no orphan)', { timeout: 90_000 }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--no-regtest'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const ready = await new Promise<{ ethereum: { rpcUrl: string } | null; bitcoin: unknown; nodeEnv: Record<string, string> }>(
      (resolve, reject) => {
        let text = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const line = text.split('\n').find((l) => l.startsWith('devchains ready '));
          if (line) resolve(JSON.parse(line.slice('devchains ready '.length)));
        });
        void exited.then((code) => reject(new Error(`exited with ${code} before it was ready: ${text}`)));
      },
    );
    expect(ready.bitcoin).toBeNull();
    const rpcUrl = ready.ethereum?.rpcUrl as string;
    expect(ready.nodeEnv).toEqual({ ETHEREUM_RPC_URL: rpcUrl });
    expect(await answers(rpcUrl)).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await answers(rpcUrl)).toBe(false);
  });
});
