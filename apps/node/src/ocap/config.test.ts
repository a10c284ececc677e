import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevPeer, startDevPeer } from '@arc/adapters/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHAINS, loadOcapConfig, parseOcapConfig } from './config.ts';

const folders: string[] = [];

async function file(text: string, copyInto?: { from: string; as: string }) {
  const dir = await mkdtemp(join(tmpdir(), 'ocap-config-'));
  folders.push(dir);
  if (copyInto) await cp(copyInto.from, join(dir, copyInto.as), { recursive: true });
  const path = join(dir, 'ocap.json');
  await writeFile(path, text);
  return path;
}

afterAll(async () => {
  await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
});

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

describe('a Fabric chain in the OCAP config', () => {
  // The development peer issues real MSP folders (signcerts/, keystore/, cacerts/); no chaincode runs and no call is made.
  let peer: DevPeer;
  const fabricEnv = () => ({
    FABRIC_GATEWAY_URL: 'grpc://127.0.0.1:7051',
    FABRIC_CHANNEL: 'mychannel',
    FABRIC_MSP_ID: 'Org1MSP',
    FABRIC_MSP_DIR: peer.identityDir,
  });

  beforeAll(async () => {
    peer = await startDevPeer();
  }, 60_000);

  afterAll(async () => {
    await peer?.stop();
  });

  it('reads a fabric entry with the adapter’s settings, defaults filled and relative paths taken from the file’s folder', async () => {
    const path = await file(
      JSON.stringify({
        chains: [
          { name: 'arc', adapter: 'native' },
          {
            name: 'ledger-org1',
            adapter: 'fabric',
            endpoint: 'peer0.org1.example.com:7051',
            channel: 'mychannel',
            mspId: 'Org1MSP',
            identity: { mspDir: 'msp' },
            evaluateTimeoutMs: 2000,
          },
        ],
      }),
      { from: peer.identityDir, as: 'msp' },
    );
    const config = await loadOcapConfig({ OCAP_CONFIG_FILE: path, FABRIC_GATEWAY_URL: 'ignored:1' });
    expect(config.chains.map((c) => c.name)).toEqual(['arc', 'ledger-org1']);
    expect(config.chains[1]).toMatchObject({
      adapter: 'fabric',
      endpoint: 'peer0.org1.example.com:7051',
      chaincode: 'token',
      identity: { mspDir: join(path, '..', 'msp') },
      evaluateTimeoutMs: 2000,
      commitStatusTimeoutMs: 60_000,
      pollMs: 1000,
    });
  });

  it('adds a fabric chain from FABRIC_GATEWAY_URL and its variables: an MSP folder, or a certificate and a key file', async () => {
    const config = await loadOcapConfig({ ...fabricEnv(), FABRIC_CHAINCODE: 'gold' });
    expect(config.chains.map((c) => c.name)).toEqual(['arc', 'mock', 'fabric']);
    expect(config.chains[2]).toMatchObject({
      adapter: 'fabric',
      endpoint: 'grpc://127.0.0.1:7051',
      channel: 'mychannel',
      chaincode: 'gold',
      mspId: 'Org1MSP',
      identity: { mspDir: peer.identityDir },
    });
    const [key] = await readdir(join(peer.identityDir, 'keystore'));
    const files = {
      FABRIC_GATEWAY_URL: 'localhost:7051',
      FABRIC_CHANNEL: 'mychannel',
      FABRIC_MSP_ID: 'Org1MSP',
      FABRIC_CERT_PATH: join(peer.identityDir, 'signcerts', 'cert.pem'),
      FABRIC_KEY_PATH: join(peer.identityDir, 'keystore', key as string),
    };
    expect((await loadOcapConfig(files)).chains[2]).toMatchObject({ identity: { certPath: files.FABRIC_CERT_PATH } });
  });

  it('names the variable that is missing or wrong', async () => {
    const { FABRIC_CHANNEL: _, ...noChannel } = fabricEnv();
    await expect(loadOcapConfig(noChannel)).rejects.toThrow(/FABRIC_GATEWAY_URL is set, so these variables are needed too: FABRIC_CHANNEL/);
    await expect(loadOcapConfig({ ...fabricEnv(), FABRIC_GATEWAY_URL: 'https://peer:7051' })).rejects.toThrow(
      /FABRIC_GATEWAY_URL: host:port, grpc:\/\/host:port or grpcs:\/\/host:port/,
    );
    await expect(loadOcapConfig({ ...fabricEnv(), FABRIC_CHANNEL: 'My Channel' })).rejects.toThrow(/FABRIC_CHANNEL: a Fabric channel name/);
    await expect(loadOcapConfig({ ...fabricEnv(), FABRIC_MSP_DIR: '/nonexistent/msp' })).rejects.toThrow(
      /^FABRIC_MSP_DIR: Cannot read the signcerts folder \/nonexistent\/msp\/signcerts \(ENOENT\)/,
    );
    const { FABRIC_MSP_DIR: _dir, ...noDir } = fabricEnv();
    const stranger = await peer.newIdentity('stranger');
    const strangerKey = join(stranger.dir, 'keystore', (await readdir(join(stranger.dir, 'keystore')))[0] as string);
    await expect(
      loadOcapConfig({ ...noDir, FABRIC_CERT_PATH: join(peer.identityDir, 'signcerts', 'cert.pem'), FABRIC_KEY_PATH: strangerKey }),
    ).rejects.toThrow(/^FABRIC_CERT_PATH and FABRIC_KEY_PATH: The private key does not belong to the certificate/);
  });

  it('refuses a bad fabric entry at load, naming the setting and never echoing key text', async () => {
    const bad = await file(
      JSON.stringify({
        chains: [
          {
            name: 'f',
            adapter: 'fabric',
            endpoint: 'peer0',
            channel: 'Bad',
            mspId: '',
            identity: { mspDir: '/m', keyPath: '/k' },
            pollMs: -1,
          },
          {
            name: 'g',
            adapter: 'fabric',
            endpoint: 'p:1',
            channel: 'c',
            mspId: 'M',
            identity: { certificatePem: 'x', privateKeyPem: 'SECRET' },
          },
        ],
      }),
    );
    const error = String(await loadOcapConfig({ OCAP_CONFIG_FILE: bad }).catch((e: Error) => e));
    for (const field of ['endpoint', 'channel', 'mspId', 'identity', 'pollMs']) expect(error).toContain(`chains.0.${field}:`);
    expect(error).not.toContain('SECRET');

    // Well-formed, but the files are not an identity: stops at load with the chain and the setting named.
    const other = await peer.newIdentity('other');
    const mismatched = await file(
      JSON.stringify({
        chains: [
          {
            name: 'org1',
            adapter: 'fabric',
            endpoint: 'p:1',
            channel: 'c',
            mspId: 'Org1MSP',
            identity: {
              certPath: join(peer.identityDir, 'signcerts', 'cert.pem'),
              keyPath: join(other.dir, 'keystore', (await readdir(join(other.dir, 'keystore')))[0] as string),
            },
          },
        ],
      }),
    );
    await expect(loadOcapConfig({ OCAP_CONFIG_FILE: mismatched })).rejects.toThrow(
      /ocap\.json: chains\.0\.identity \(the chain "org1"\): The private key does not belong to the certificate/,
    );
    const missingCa = await file(
      JSON.stringify({
        chains: [
          {
            name: 'org1',
            adapter: 'fabric',
            endpoint: 'p:1',
            channel: 'c',
            mspId: 'Org1MSP',
            identity: { mspDir: peer.identityDir },
            tls: { caCertPath: 'ca.pem' },
          },
        ],
      }),
    );
    await expect(loadOcapConfig({ OCAP_CONFIG_FILE: missingCa })).rejects.toThrow(
      /chains\.0\.tls\.caCertPath \(the chain "org1"\): cannot read .*ca\.pem \(ENOENT\)/,
    );
  });
});
