import { describe, expect, it } from 'vitest';
import { chainLines, localChainsPlan, nodeEnv, problemLine, splitArgs, webEnv } from './start-options.mjs';

describe('npm start options', () => {
  it('keeps --no-anvil for itself and passes every other argument on to the node', () => {
    expect(splitArgs(['--workers', '2', '--no-anvil'])).toEqual({ anvil: false, nodeArgs: ['--workers', '2'] });
    expect(splitArgs([])).toEqual({ anvil: true, nodeArgs: [] });
  });

  it('starts anvil and the regtest chain unless told otherwise, saying why it skips one', () => {
    expect(localChainsPlan({}, { anvil: true })).toEqual({ anvil: true, regtest: true, skipped: [] });
    expect(localChainsPlan({}, { anvil: false })).toMatchObject({
      anvil: false,
      regtest: true,
      skipped: [expect.stringContaining('--no-anvil')],
    });
    expect(localChainsPlan({ ETHEREUM_RPC_URL: 'http://x:8545' }, { anvil: true })).toMatchObject({ anvil: false, regtest: true });
    expect(localChainsPlan({ BITCOIN_RPC_URL: 'http://x:18443' }, { anvil: true })).toMatchObject({ anvil: true, regtest: false });
    expect(localChainsPlan({ OCAP_CONFIG_FILE: 'chains.json' }, { anvil: true })).toMatchObject({
      anvil: false,
      regtest: false,
      skipped: [expect.stringContaining('OCAP_CONFIG_FILE')],
    });
  });

  it('gives the node the chains and the web origins, the operator’s variables winning, and the web app the node’s public URL', () => {
    const env = nodeEnv(
      { LOG_LEVEL: 'warn' },
      { port: 8080, host: '127.0.0.1', webPort: 3000, chainsEnv: { ETHEREUM_RPC_URL: 'http://127.0.0.1:9545' } },
    );
    expect(env).toMatchObject({
      PORT: '8080',
      CORS_ORIGINS: 'http://127.0.0.1:3000,http://localhost:3000',
      ETHEREUM_RPC_URL: 'http://127.0.0.1:9545',
      LOG_LEVEL: 'warn',
    });
    expect(webEnv({}, 'http://127.0.0.1:8080')).toMatchObject({
      NODE_URL: 'http://127.0.0.1:8080',
      NODE_PUBLIC_URL: 'http://127.0.0.1:8080',
    });
    expect(webEnv({ NODE_PUBLIC_URL: 'https://node.example' }, 'http://127.0.0.1:8080').NODE_PUBLIC_URL).toBe('https://node.example');
  });

  it('words a chain that could not start in one line, and lists the chains with their CAIP-2 ids', () => {
    expect(problemLine({ chain: 'ethereum', error: 'anvil is not installed' })).toBe(
      'anvil (the local EVM) could not start: anvil is not installed; starting without the ethereum chain (`npm start -- --no-anvil` skips it)',
    );
    const lines = chainLines(
      [
        { name: 'arc', adapter: 'native', status: 'ok', error: null, info: { chainId: 'arc:arc-dev' } },
        { name: 'ethereum', adapter: 'ethereum', status: 'ok', error: null, info: { chainId: 'eip155:31337' } },
        { name: 'bitcoin', adapter: 'bitcoin', status: 'unavailable', error: 'connection refused', info: null },
      ],
      { tokenAddress: '0xT', assetAddress: '0xA' },
    );
    expect(lines).toEqual([
      '    arc       arc:arc-dev   native    live',
      '    ethereum  eip155:31337  ethereum  live',
      '      ERC-20 ATT 0xT',
      '      ERC-721 ATA 0xA',
      '    bitcoin   -             bitcoin   unavailable: connection refused',
    ]);
  });
});
