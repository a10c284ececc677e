import { randomBytes } from 'node:crypto';
import { deployBridgedAbt, signMint } from '@arc/adapters';
import { type AnvilInstance, startAnvil } from '@arc/adapters/testing';
import { approvalDigest, didFromPublicKey, type Itx, keyPairFromSeed, signMessage } from '@arc/core';
import { type Contract, JsonRpcProvider, Network, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import type { BridgeSignerKeys } from '../src/economy/bridge/options.ts';
import type { BridgeService } from '../src/economy/bridge/service.ts';
import { releaseItx } from '../src/economy/bridge/signer.ts';
import { createTestDatabase, startTestNode, type TestDatabase, type TestNode, testGenesis } from '../src/testing.ts';
import { type Burn, burnOn, chainsTruth, crashAt, revertName, statusOwed, turnedAway } from './helpers/bridge.ts';
import { type NodeClient, nodeClient } from './helpers/client.ts';
import { until } from './helpers/until.ts';
import { ABT, balanceOf, fundedWallet, type Wallet as LedgerWallet, MIN_FEE, transfer, Wallet as WalletClass } from './helpers/wallet.ts';

/**
 * The ABT ↔ ERC-20 bridge end to end, against anvil (automine: every transaction is a block; confirmations are counted
 * by mining more with anvil_mine). After every step: ABT in the escrow == ERC-20 supply + locked-not-yet-minted +
 * burned-not-yet-released (a burn lowers the supply at once; the escrow pays out only at the release), read from the
 * ledger and from Ethereum themselves, and from the bridge's status.
 */

/** Blocks deep a mint or a burn must be (the block itself counts one). */
const CONFIRMATIONS = 3;
const THRESHOLD = 2;
const PASS_MS = 100;
/** Long enough for several relayer passes: "nothing happened" is asserted after this. */
const QUIET_MS = 1_500;

const didOf = (seed: Uint8Array) => didFromPublicKey(keyPairFromSeed(seed).publicKey);

describe('the ABT ↔ ERC-20 bridge on anvil', () => {
  let anvil: AnvilInstance;
  let provider: JsonRpcProvider;
  let database: TestDatabase;
  let node: TestNode;
  let client: NodeClient;
  let bridge: BridgeService;
  let token: Contract;
  let holder: Wallet;
  let user: LedgerWallet;
  let signerKeys: BridgeSignerKeys[];
  const locks: { lockId: string; amount: bigint }[] = [];
  const burns: Burn[] = [];

  const rpc = <T>(method: string, params: unknown[] = []) => provider.send(method, params) as Promise<T>;
  const mine = (blocks: number) => rpc('anvil_mine', [`0x${blocks.toString(16)}`]);
  const view = <T>(fn: string, args: unknown[], blockTag?: number) =>
    token.getFunction(fn).staticCall(...args, blockTag === undefined ? {} : { blockTag }) as Promise<T>;
  const status = (input: Parameters<NodeClient['economy']['bridge']['query']>[0] = {}) => client.economy.bridge.query(input);
  const transferOf = async (sourceId: string) => (await status({ limit: 50 })).transfers.find((t) => t.sourceId === sourceId);
  const waitStatus = (sourceId: string, wanted: string) =>
    until(`${sourceId} ${wanted}`, async () => ((await transferOf(sourceId))?.status === wanted ? true : undefined));

  /**
   * The code a transaction of the user is turned away with: refused at once (its nonce stays free), or failed in its
   * block (its fee charged, nothing else done).
   */
  async function refusal(itx: Itx): Promise<string> {
    const turned = await turnedAway(client, user, itx);
    if (turned.inBlock) failedFees += MIN_FEE;
    return turned.code;
  }
  /** Fees the user paid for transactions that failed in their blocks. */
  let failedFees = 0n;

  async function lock(amount: bigint, to = holder.address): Promise<string> {
    const { tx } = await user.commit({ type: 'bridgeLock', amount, ethAddress: to.toLowerCase() });
    const lockId = `0x${tx.hash}`;
    locks.push({ lockId, amount });
    return lockId;
  }

  async function burn(amount: bigint, did: string): Promise<Burn> {
    const entry = await burnOn(token.connect(holder) as Contract, bridge.contract.address, amount, did);
    burns.push(entry);
    return entry;
  }

  /** The invariant, from the chains and from the bridge's status; `quiet`: nothing is moving. */
  async function expectBalanced(quiet = false, stuck = 0n) {
    const t = await chainsTruth({ node, provider, view, locks, burns });
    expect(
      t.escrow,
      JSON.stringify(t, (_, v) => (typeof v === 'bigint' ? v.toString() : v)),
    ).toBe(t.totalSupply + t.lockedNotMinted + t.burnedNotReleased);
    const s = await status();
    expect(BigInt(s.locked)).toBe(statusOwed(s));
    if (quiet) {
      expect(t.escrow).toBe(t.totalSupply + stuck);
      expect([s.inFlight.toEthereum.count, s.inFlight.toLedger.count]).toEqual([0, 0]);
    }
  }

  beforeAll(async () => {
    anvil = await startAnvil();
    provider = new JsonRpcProvider(anvil.rpcUrl, Network.from(anvil.chainId), {
      staticNetwork: true,
      pollingInterval: 20,
      cacheTimeout: -1,
    });
    holder = new Wallet(anvil.accounts[6] as string, provider);
    signerKeys = Array.from({ length: 3 }, () => ({ seed: new Uint8Array(randomBytes(32)), ethKey: Wallet.createRandom().privateKey }));
    const deployed = await deployBridgedAbt(
      new Wallet(anvil.accounts[0] as string, provider),
      signerKeys.map((k) => new Wallet(k.ethKey).address),
      THRESHOLD,
    );
    token = deployed.contract;

    const base = await testGenesis();
    const signerDids = signerKeys.map((k) => didOf(k.seed));
    const genesis = {
      ...base,
      params: { ...base.params, economy: { ...base.params.economy, bridgeSigners: signerDids, bridgeThreshold: THRESHOLD } },
    };
    database = await createTestDatabase('pglite');
    node = await startTestNode({
      database: database.target,
      genesis,
      blockIntervalMs: 200,
      ocapChains: [
        { name: 'arc', adapter: 'native' },
        { name: 'eth', adapter: 'ethereum', rpcUrl: anvil.rpcUrl, chainId: anvil.chainId },
      ],
      bridge: {
        ethereum: { chain: 'eth' },
        contract: deployed.address,
        confirmations: CONFIRMATIONS,
        signers: signerKeys.map((keys, i) => ({ blocklet: `bridge-signer-${i + 1}`, keys })),
        relayerKey: anvil.accounts[5] as string,
        intervalMs: PASS_MS,
        streamPollMs: 50,
      },
    });
    client = nodeClient(node.url);
    bridge = node.services.bridge as BridgeService;
    const faucet = new WalletClass(client, node.chainId, devKey('faucet'));
    // The relayer blocklet's DID pays the fees of the bridgeRelease transactions it sends.
    await faucet.commit(transfer(bridge.relayerBlocklet.did, 10n * ABT));
    user = await fundedWallet(faucet, 100n * ABT);
  }, 120_000);

  afterAll(async () => {
    await node?.close();
    await database?.drop();
    provider?.destroy();
    await anvil?.stop();
  });

  it('shows its contract, signers and thresholds, with nothing locked', async () => {
    const s = await status();
    expect(s).toMatchObject({
      contract: bridge.contract.address,
      chainId: `eip155:${anvil.chainId}`,
      confirmations: CONFIRMATIONS,
      locked: '0',
      totalSupply: '0',
      signers: {
        ledger: { dids: signerKeys.map((k) => didOf(k.seed)), threshold: THRESHOLD },
        ethereum: { addresses: signerKeys.map((k) => new Wallet(k.ethKey).address), threshold: THRESHOLD },
      },
    });
    expect(s.signers.local).toHaveLength(3);
    // The relayer is a blocklet too: its Ethereum address pays the gas, its DID the release fees (it says so over HTTP).
    const relayer = { did: bridge.relayerBlocklet.did, ethAddress: new Wallet(anvil.accounts[5] as string).address };
    expect(s.relayer).toEqual({ blocklet: 'bridge-relayer', ...relayer });
    expect(await (await fetch(`${node.url}/b/bridge-relayer/identity`)).json()).toEqual({ ok: true, ...relayer });
    await expectBalanced(true);
  });

  it('locks 5 ABT and mints them to the Ethereum address once the mint is N blocks deep', async () => {
    const lockId = await lock(5n * ABT);
    await expectBalanced();
    await until('the mint sent and mined', async () => ((await view<boolean>('minted', [lockId])) ? true : undefined));
    await expectBalanced();
    // Mined (1 confirmation) but not N deep: the wallet shows "k of N".
    const minting = await transferOf(lockId);
    expect(minting).toMatchObject({
      direction: 'toEthereum',
      status: 'minting',
      amount: (5n * ABT).toString(),
      confirmationsRequired: CONFIRMATIONS,
    });
    expect(minting?.confirmations).toBeLessThan(CONFIRMATIONS);
    // The relayer blocklet sent it, with its own Ethereum key (ETH_KEY, which only pays the gas).
    const mintTx = await provider.getTransaction(minting?.ethTxHash as string);
    expect(mintTx?.from).toBe(new Wallet(anvil.accounts[5] as string).address);
    await mine(CONFIRMATIONS - 1);
    await waitStatus(lockId, 'minted');
    expect(await view<bigint>('balanceOf', [holder.address])).toBe(5n * ABT);
    expect((await transferOf(lockId))?.confirmations).toBeGreaterThanOrEqual(CONFIRMATIONS);
    await expectBalanced(true);
    // The account's page finds it by DID and by Ethereum address.
    expect((await status({ account: user.did })).transfers.map((t) => t.sourceId)).toContain(lockId);
    expect((await status({ account: holder.address.toUpperCase().replace('0X', '0x') })).transfers.map((t) => t.sourceId)).toContain(
      lockId,
    );
  });

  it('burns 2 on Ethereum and releases them to the DID only once the burn is N blocks deep', async () => {
    const before = await balanceOf(client, user.did);
    const burned = await burn(2n * ABT, user.did);
    await expectBalanced();
    const pending = (await status()).unconfirmedBurns.find((b) => b.ethTxHash === burned.txHash);
    expect(pending).toMatchObject({ to: user.did, amount: (2n * ABT).toString(), confirmations: 1 });
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    expect(await balanceOf(client, user.did)).toBe(before);
    await mine(CONFIRMATIONS - 1);
    await until('the release', async () => ((await balanceOf(client, user.did)) === before + 2n * ABT ? true : undefined));
    await waitStatus(`${burned.txHash}:${burned.logIndex}`, 'released');
    await expectBalanced(true);
    // The relayer blocklet sent the release, signed by its own DID (which only pays the fee), with the signers' approvals.
    const released = await transferOf(`${burned.txHash}:${burned.logIndex}`);
    const releaseTx = await client.tx.byHash.query({ hash: released?.ledgerTxHash as string });
    expect(releaseTx).toMatchObject({ status: 'committed', tx: { from: bridge.relayerBlocklet.did, type: 'bridgeRelease' } });
  });

  it('never releases a burn a reorganisation removed before it was N blocks deep (a deeper one would be needed after)', async () => {
    const before = await balanceOf(client, user.did);
    const burned = await burn(1n * ABT, user.did);
    await mine(CONFIRMATIONS - 2);
    await expectBalanced();
    // The burn's block and the one on it are replaced by empty blocks: the burn never happened, the tokens are back.
    await rpc('anvil_reorg', [CONFIRMATIONS - 1, []]);
    expect(await provider.getTransactionReceipt(burned.txHash)).toBeNull();
    await mine(CONFIRMATIONS + 2);
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    expect(await balanceOf(client, user.did)).toBe(before);
    expect(await transferOf(`${burned.txHash}:${burned.logIndex}`)).toBeUndefined();
    expect(await view<bigint>('balanceOf', [holder.address])).toBe(3n * ABT);
    await expectBalanced(true);
  });

  it('sends a mint again when a reorganisation took it away before it was N blocks deep', async () => {
    const lockId = await lock(1n * ABT);
    await until('the mint mined', async () => ((await view<boolean>('minted', [lockId])) ? true : undefined));
    const first = await provider.getTransactionReceipt((await transferOf(lockId))?.ethTxHash as string);
    expect(first?.blockNumber).toBe(await provider.getBlockNumber());
    // The mint's block is replaced by an empty one: at that height the lock is not minted any more.
    await rpc('anvil_reorg', [1, []]);
    expect(await view<boolean>('minted', [lockId], first?.blockNumber)).toBe(false);
    await until('the mint sent again and mined', async () => ((await view<boolean>('minted', [lockId])) ? true : undefined));
    await expectBalanced();
    await mine(CONFIRMATIONS);
    await waitStatus(lockId, 'minted');
    expect(await view<bigint>('balanceOf', [holder.address])).toBe(4n * ABT);
    await expectBalanced(true);
  });

  it('completes each transfer exactly once when the relayer restarts mid-transfer', async () => {
    // Stopped after sending the mint, before recording it done: the new relayer finds it minted and counts confirmations.
    const afterMint = crashAt('mintSent');
    await bridge.restartRelayer({ faults: afterMint.faults });
    const lockId = await lock(3n * ABT);
    await until('the relayer crashed after sending the mint', async () => (afterMint.crashed() ? true : undefined));
    expect((await transferOf(lockId))?.status).toBe('minting');
    await bridge.restartRelayer();
    await mine(CONFIRMATIONS);
    await waitStatus(lockId, 'minted');
    expect(await view<bigint>('balanceOf', [holder.address])).toBe(7n * ABT);
    const mintedTopic = token.interface.getEvent('BridgeMinted')?.topicHash as string;
    expect(await provider.getLogs({ address: bridge.contract.address, topics: [mintedTopic, lockId], fromBlock: 0 })).toHaveLength(1);
    await expectBalanced(true);

    // Stopped after reading a burn, before releasing it; then after sending the release, before recording it done.
    for (const step of ['burnRecorded', 'releaseSent'] as const) {
      const crash = crashAt(step);
      await bridge.restartRelayer({ faults: crash.faults });
      const before = await balanceOf(client, user.did);
      const burned = await burn(1n * ABT, user.did);
      await mine(CONFIRMATIONS);
      await until(`the relayer crashed after ${step}`, async () => (crash.crashed() ? true : undefined));
      await expectBalanced();
      await bridge.restartRelayer();
      await waitStatus(`${burned.txHash}:${burned.logIndex}`, 'released');
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      expect(await balanceOf(client, user.did)).toBe(before + 1n * ABT);
      await expectBalanced(true);
    }

    // Released once, so the ledger refuses the same burn again, even with valid approvals: ALREADY_APPLIED.
    const [last] = burns.slice(-1) as [Burn];
    const request = { ethTxHash: last.txHash, logIndex: last.logIndex, to: user.did, amount: last.amount };
    const approvals = await Promise.all(bridge.signers.slice(0, THRESHOLD).map((s) => s.approveRelease(request)));
    expect(await refusal(releaseItx(request, approvals))).toBe('ALREADY_APPLIED');
  });

  it('lets no single signer mint or release: not a relayer that reaches only one, not its stolen keys', async () => {
    const [alone, honest] = bridge.signers as [BridgeService['signers'][number], BridgeService['signers'][number]];
    await bridge.restartRelayer({ signers: [alone] });
    const supply = await view<bigint>('totalSupply', []);
    const lockId = await lock(1n * ABT);
    const before = await balanceOf(client, user.did);
    const feesBefore = failedFees;
    const burned = await burn(1n * ABT, user.did);
    await mine(CONFIRMATIONS);
    const burnId = `${burned.txHash}:${burned.logIndex}`;
    await until('both refused for want of signatures', async () => {
      const [l, b] = [await transferOf(lockId), await transferOf(burnId)];
      return l?.reason?.includes('1 of 2 mint signatures') && b?.reason?.includes('1 of 2 approvals') ? true : undefined;
    });
    expect(await view<boolean>('minted', [lockId])).toBe(false);
    expect(await view<bigint>('totalSupply', [])).toBe(supply - 1n * ABT);
    expect(await balanceOf(client, user.did)).toBe(before);
    await expectBalanced();

    // The compromised signer's own keys: its mint signature and its release approval alone are refused.
    const thief = Wallet.createRandom().address;
    const fakeLock = `0x${randomBytes(32).toString('hex')}`;
    const stolen = signerKeys[0] as BridgeSignerKeys;
    const signature = await signMint(new Wallet(stolen.ethKey), BigInt(anvil.chainId), bridge.contract.address, {
      to: thief,
      amount: 1000n * ABT,
      lockId: fakeLock,
    });
    const submitter = new Wallet(anvil.accounts[7] as string, provider);
    expect(await revertName(token.connect(submitter).getFunction('mint')(thief, 1000n * ABT, fakeLock, [signature]))).toBe(
      'NotEnoughSignatures',
    );
    const fakeBurn = { ethTxHash: `0x${randomBytes(32).toString('hex')}`, logIndex: 0, to: user.did, amount: 1000n * ABT };
    const key = keyPairFromSeed(stolen.seed);
    const forged = releaseItx(fakeBurn);
    const approval = {
      did: alone.did,
      publicKey: key.publicKey,
      signature: signMessage(key.secretKey, approvalDigest(node.chainId, forged)),
    };
    expect(await refusal({ ...forged, approvals: [approval] })).toBe('NOT_ENOUGH_APPROVALS');
    expect(await refusal({ ...forged, approvals: [approval, approval] })).toBe('INVALID_TX');
    // An honest signer checks the source itself: no such lock, no such burn, and no more than was locked.
    await expect(honest.signMint({ lockId: fakeLock, to: thief, amount: ABT })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(honest.approveRelease(fakeBurn)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(honest.signMint({ lockId, to: thief, amount: ABT })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(honest.signMint({ lockId, to: holder.address, amount: 2n * ABT })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await view<bigint>('balanceOf', [thief])).toBe(0n);

    // With the threshold reachable again, both complete.
    await bridge.restartRelayer();
    await until('the mint', async () => ((await view<boolean>('minted', [lockId])) ? true : undefined));
    await mine(CONFIRMATIONS);
    await waitStatus(lockId, 'minted');
    await waitStatus(burnId, 'released');
    expect(await balanceOf(client, user.did)).toBe(before + 1n * ABT - (failedFees - feesBefore));
    await expectBalanced(true);
  });

  it('runs each signer as a blocklet owned by its DID, which a relayer elsewhere asks over HTTP with the same checks', async () => {
    const [first] = signerKeys as [BridgeSignerKeys];
    const deployed = await client.blocklet.get.query({ name: 'bridge-signer-1' });
    expect(deployed.owner).toBe(didOf(first.seed));
    // The keys are sealed in its environment: listed, never shown.
    const env = await node.services.runtime.listEnv('bridge-signer-1');
    expect(env.filter((e) => e.secure).map((e) => [e.key, e.value])).toEqual([
      ['ETH_KEY', null],
      ['LEDGER_KEY', null],
    ]);
    const post = (path: string, body: unknown) =>
      fetch(`${node.url}/b/bridge-signer-1/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const identity = await (await fetch(`${node.url}/b/bridge-signer-1/identity`)).json();
    expect(identity).toEqual({ ok: true, did: didOf(first.seed), ethAddress: new Wallet(first.ethKey).address });
    const [lockId] = locks.map((l) => l.lockId) as [string];
    const wrong = await post('mint-signatures', { lockId, to: holder.address, amount: '1' });
    expect(wrong.status).toBe(409);
    expect(await wrong.json()).toMatchObject({ ok: false, code: 'CONFLICT', retriable: false });
    const unknown = await post('mint-signatures', { lockId: `0x${randomBytes(32).toString('hex')}`, to: holder.address, amount: '1' });
    expect(unknown.status).toBe(503);
    expect(await unknown.json()).toMatchObject({ ok: false, code: 'UNAVAILABLE', retriable: true });
    const right = await post('mint-signatures', { lockId, to: holder.address, amount: (locks[0]?.amount ?? 0n).toString() });
    expect(right.status).toBe(200);
    const { signature } = (await right.json()) as { signature: string };
    expect(signature).toBe(
      await signMint(new Wallet(first.ethKey), BigInt(anvil.chainId), bridge.contract.address, {
        to: holder.address,
        amount: locks[0]?.amount ?? 0n,
        lockId,
      }),
    );
    expect((await post('release-approvals', { ethTxHash: 'nonsense' })).status).toBe(400);
  });

  it('refuses, and never releases, a burn to something that is not a DID', async () => {
    const burned = await burn(1n * ABT, 'did:abt:not-a-real-did');
    await mine(CONFIRMATIONS);
    const id = `${burned.txHash}:${burned.logIndex}`;
    await waitStatus(id, 'refused');
    expect((await transferOf(id))?.reason).toMatch(/not a DID/);
    const s = await status();
    expect(s.stuck.toLedger).toEqual({ count: 1, amount: (1n * ABT).toString() });
    // The escrow keeps what was burned to nobody: it would take governance to move it.
    await expectBalanced(true, 1n * ABT);
  });
});
