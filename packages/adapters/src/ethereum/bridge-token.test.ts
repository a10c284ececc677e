import { OcapError } from '@arc/core';
import {
  type Contract,
  ContractFactory,
  getBytes,
  hexlify,
  Interface,
  isError,
  JsonRpcProvider,
  Network,
  type Signer,
  type TransactionReceipt,
  TypedDataEncoder,
  toBeHex,
  Wallet,
} from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnvilInstance, startAnvil } from '../testing/anvil.ts';
import { ArcBridgedAbt } from './artifacts/index.ts';
import {
  BRIDGE_ARC_DID_BYTES_MAX,
  BRIDGE_ARC_DID_BYTES_MIN,
  BRIDGE_SIGNERS_MAX,
  type BridgeMint,
  checkBridgeSignerSet,
  deployBridgedAbt,
  mintTypedData,
  parseBridgeBurned,
  parseBridgeMinted,
  signMint,
} from './bridge-token.ts';

const STARTUP_TIMEOUT_MS = 60_000;
const TEST_TIMEOUT_MS = 60_000;
const POLLING_INTERVAL_MS = 20;
const ABT = 10n ** 18n;
const THRESHOLD = 2;
const ARC_DID = 'did:abt:z1muQ3xqHQK2uiACHyChikobsiY5kLqtShA';
/** secp256k1's group order: s and n − s are both valid signatures of one key, only the low one is accepted. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

const randomLockId = () => hexlify(crypto.getRandomValues(new Uint8Array(32)));

async function mined(sent: Promise<{ wait(): Promise<TransactionReceipt | null> }>): Promise<TransactionReceipt> {
  const receipt = await (await sent).wait();
  if (receipt?.status !== 1) throw new Error('transaction failed');
  return receipt;
}

const bridgeErrors = new Interface(ArcBridgedAbt.abi);

/** The custom error a call reverted with, decoded with the bridge's ABI; fails if it did not revert. */
async function revertOf(sent: Promise<unknown>): Promise<{ name: string; args: unknown[] }> {
  try {
    await sent;
  } catch (error) {
    const parsed = isError(error, 'CALL_EXCEPTION') && error.data ? bridgeErrors.parseError(error.data) : null;
    if (parsed) return { name: parsed.name, args: [...parsed.args] };
    throw error;
  }
  throw new Error('expected the call to revert');
}

/** The same signature with s replaced by n − s (and v flipped): valid for ecrecover, refused by OpenZeppelin's ECDSA. */
function highSTwin(signature: string): string {
  const bytes = getBytes(signature);
  const s = BigInt(hexlify(bytes.slice(32, 64)));
  const v = bytes[64] === 27 ? 28 : 27;
  return hexlify(new Uint8Array([...bytes.slice(0, 32), ...getBytes(toBeHex(SECP256K1_N - s, 32)), v]));
}

describe('ArcBridgedAbt on anvil', { timeout: TEST_TIMEOUT_MS }, () => {
  let anvil: AnvilInstance;
  let provider: JsonRpcProvider;
  let chainId: bigint;
  let deployer: Wallet;
  let relayer: Wallet;
  let holder: Wallet;
  let stranger: Wallet;
  let signerA: Wallet;
  let signerB: Wallet;
  let signerC: Wallet;
  let signers: Wallet[];
  let bridge: Contract;
  let bridgeAddress: string;
  let mintedTotal = 0n;
  let burnedTotal = 0n;

  const call = <T>(fn: string, ...args: unknown[]) => bridge.getFunction(fn).staticCall(...args) as Promise<T>;
  const as = (runner: Signer) => bridge.connect(runner);

  /** Signatures of `mint` by `by`, in that order. */
  const signatures = (mint: BridgeMint, by: Wallet[]) => Promise.all(by.map((w) => signMint(w, chainId, bridgeAddress, mint)));
  const submit = (mint: BridgeMint, sigs: string[], runner: Signer = relayer) =>
    as(runner).getFunction('mint')(mint.to, mint.amount, mint.lockId, sigs);
  const burn = (amount: bigint, did: string, runner: Signer = holder) => as(runner).getFunction('burnToArc')(amount, did);

  /** The supply invariant: exactly what was minted against ledger locks minus what was burned back. */
  async function expectSupply() {
    expect(await call<bigint>('totalSupply')).toBe(mintedTotal - burnedTotal);
  }

  async function mintAndCount(mint: BridgeMint, by: Wallet[]): Promise<TransactionReceipt> {
    const receipt = await mined(submit(mint, await signatures(mint, by)));
    mintedTotal += mint.amount;
    return receipt;
  }

  beforeAll(async () => {
    anvil = await startAnvil();
    chainId = BigInt(anvil.chainId);
    provider = new JsonRpcProvider(anvil.rpcUrl, Network.from(anvil.chainId), {
      staticNetwork: true,
      pollingInterval: POLLING_INTERVAL_MS,
      // ethers reuses an identical request's answer for 250 ms by default: with anvil mining instantly, a wallet's
      // second send within that window would get the first one's (now used) pending nonce.
      cacheTimeout: -1,
    });
    const wallet = (i: number) => new Wallet(anvil.accounts[i] as string, provider);
    deployer = wallet(0);
    [signerA, signerB, signerC] = [wallet(1), wallet(2), wallet(3)];
    signers = [signerA, signerB, signerC];
    stranger = wallet(4);
    relayer = wallet(5);
    holder = wallet(6);
    const deployed = await deployBridgedAbt(
      deployer,
      signers.map((w) => w.address),
      THRESHOLD,
    );
    bridge = deployed.contract;
    bridgeAddress = deployed.address;
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  it('is deployed as 18-decimal ABT with its fixed signer set, threshold and the bounds the helpers name', async () => {
    expect(await call<string>('name')).toBe('Bridged ArcBlock Token');
    expect(await call<string>('symbol')).toBe('ABT');
    expect(await call<bigint>('decimals')).toBe(18n);
    expect(await call<string[]>('signers')).toEqual(signers.map((w) => w.address));
    expect(await call<bigint>('threshold')).toBe(BigInt(THRESHOLD));
    expect(await call<bigint>('MAX_SIGNERS')).toBe(BigInt(BRIDGE_SIGNERS_MAX));
    expect(await call<bigint>('ARC_DID_BYTES_MIN')).toBe(BigInt(BRIDGE_ARC_DID_BYTES_MIN));
    expect(await call<bigint>('ARC_DID_BYTES_MAX')).toBe(BigInt(BRIDGE_ARC_DID_BYTES_MAX));
    // No owner, no admin mint: the ABI has no way to create tokens but mint-with-signatures.
    const functions: string[] = [];
    bridge.interface.forEachFunction((fragment) => functions.push(fragment.name));
    expect(functions).not.toContain('owner');
    expect(functions.filter((name) => /^mint/.test(name)).sort()).toEqual(['mint', 'mintDigest', 'minted']);
    await expectSupply();
  });

  it('signs the same EIP-712 digest the contract verifies', async () => {
    const mint = { to: holder.address, amount: ABT, lockId: randomLockId() };
    const { domain, types, value } = mintTypedData(chainId, bridgeAddress, mint);
    expect(await call<string>('mintDigest', mint.to, mint.amount, mint.lockId)).toBe(TypedDataEncoder.hash(domain, types, value));
  });

  it('mints with signatures of 2 of the 3 signers, submitted by a relayer that is not a signer', async () => {
    const mint = { to: holder.address, amount: 5n * ABT, lockId: randomLockId() };
    expect(await call<boolean>('minted', mint.lockId)).toBe(false);
    const receipt = await mintAndCount(mint, [signerC, signerA]);

    expect(await call<bigint>('balanceOf', holder.address)).toBe(5n * ABT);
    expect(await call<boolean>('minted', mint.lockId)).toBe(true);
    const events = receipt.logs.map((log) => parseBridgeMinted(log, bridgeAddress)).filter((e) => e !== null);
    expect(events).toEqual([
      {
        address: bridgeAddress,
        lockId: mint.lockId,
        to: holder.address,
        amount: mint.amount,
        txHash: receipt.hash,
        logIndex: expect.any(Number),
        blockNumber: receipt.blockNumber,
      },
    ]);
    await expectSupply();
  });

  it('mints each lockId once: a second mint, even with fresh signatures, reverts AlreadyMinted', async () => {
    const mint = { to: holder.address, amount: ABT, lockId: randomLockId() };
    await mintAndCount(mint, [signerA, signerB]);
    await expectSupply();

    expect(await revertOf(submit(mint, await signatures(mint, [signerB, signerC])))).toEqual({
      name: 'AlreadyMinted',
      args: [mint.lockId],
    });
    const other = { ...mint, amount: 2n * ABT };
    expect((await revertOf(submit(other, await signatures(other, signers)))).name).toBe('AlreadyMinted');
    await expectSupply();
  });

  it('refuses one signature, even a signer’s, and none at all (NotEnoughSignatures)', async () => {
    const mint = { to: stranger.address, amount: ABT, lockId: randomLockId() };
    const [alone] = await signatures(mint, [signerA]);
    expect(await revertOf(submit(mint, [alone as string]))).toEqual({ name: 'NotEnoughSignatures', args: [1n, 2n] });
    // The signer submitting its own signature gains nothing over a relayer.
    expect(await revertOf(submit(mint, [alone as string], signerA))).toEqual({ name: 'NotEnoughSignatures', args: [1n, 2n] });
    expect(await revertOf(submit(mint, []))).toEqual({ name: 'NotEnoughSignatures', args: [0n, 2n] });
    expect(await call<boolean>('minted', mint.lockId)).toBe(false);
    await expectSupply();
  });

  it('refuses the same signer twice (DuplicateSigner), and its signature’s high-s twin as malformed', async () => {
    const mint = { to: stranger.address, amount: ABT, lockId: randomLockId() };
    const [signature] = await signatures(mint, [signerB]);
    expect(await revertOf(submit(mint, [signature as string, signature as string]))).toEqual({
      name: 'DuplicateSigner',
      args: [signerB.address],
    });
    // A second, different-looking signature from one key: ecrecover would accept it, OpenZeppelin's ECDSA does not.
    const twin = highSTwin(signature as string);
    expect(twin).not.toBe(signature);
    expect((await revertOf(submit(mint, [signature as string, twin]))).name).toBe('ECDSAInvalidSignatureS');
    expect(await call<boolean>('minted', mint.lockId)).toBe(false);
    await expectSupply();
  });

  it('refuses a signature by a key outside the set (UnknownSigner)', async () => {
    const mint = { to: stranger.address, amount: ABT, lockId: randomLockId() };
    const sigs = await signatures(mint, [signerA, stranger]);
    expect(await revertOf(submit(mint, sigs))).toEqual({ name: 'UnknownSigner', args: [stranger.address] });
    // Extra signatures do not dilute the rule: two valid ones plus a stranger's still revert.
    const padded = await signatures(mint, [signerA, signerB, stranger]);
    expect((await revertOf(submit(mint, padded))).name).toBe('UnknownSigner');
    expect(await call<boolean>('minted', mint.lockId)).toBe(false);
    await expectSupply();
  });

  it('does not count a signature over another amount, recipient or contract', async () => {
    const mint = { to: holder.address, amount: 3n * ABT, lockId: randomLockId() };
    const [good] = await signatures(mint, [signerA]);
    const setAddresses = signers.map((w) => w.address);
    const wrongs = [
      await signMint(signerB, chainId, bridgeAddress, { ...mint, amount: mint.amount + 1n }),
      await signMint(signerB, chainId, bridgeAddress, { ...mint, to: stranger.address }),
      await signMint(signerB, chainId, stranger.address, mint),
      await signMint(signerB, chainId + 1n, bridgeAddress, mint),
    ];
    for (const wrong of wrongs) {
      // Over other data, a signer's signature recovers to an unrelated address: to the contract it is a stranger's.
      const revert = await revertOf(submit(mint, [good as string, wrong]));
      expect(revert.name).toBe('UnknownSigner');
      expect(setAddresses).not.toContain(revert.args[0]);
    }
    // Two valid signatures for this mint do not authorise it to anyone else or for more.
    const valid = await signatures(mint, [signerA, signerB]);
    expect((await revertOf(submit({ ...mint, to: stranger.address }, valid))).name).toBe('UnknownSigner');
    expect((await revertOf(submit({ ...mint, amount: mint.amount * 2n }, valid))).name).toBe('UnknownSigner');
    expect(await call<boolean>('minted', mint.lockId)).toBe(false);
    await expectSupply();

    // The lock is still mintable as signed.
    await mined(submit(mint, valid));
    mintedTotal += mint.amount;
    expect(await call<boolean>('minted', mint.lockId)).toBe(true);
    await expectSupply();
  });

  it('burns the caller’s tokens with burnToArc and emits BridgeBurned, read back by parseBridgeBurned', async () => {
    const balanceBefore = await call<bigint>('balanceOf', holder.address);
    const amount = 2n * ABT;
    const receipt = await mined(burn(amount, ARC_DID));
    burnedTotal += amount;

    expect(await call<bigint>('balanceOf', holder.address)).toBe(balanceBefore - amount);
    await expectSupply();
    const parsed = receipt.logs.map((log) => parseBridgeBurned(log, bridgeAddress));
    // The receipt also holds ERC-20's Transfer to address 0, which is not a BridgeBurned.
    expect(parsed.filter((e) => e === null)).toHaveLength(1);
    const burned = parsed.find((e) => e !== null);
    const log = receipt.logs.find((l) => l.index === burned?.logIndex);
    expect(burned).toEqual({
      address: bridgeAddress,
      from: holder.address,
      arcDid: ARC_DID,
      amount,
      burnNonce: 1n,
      txHash: receipt.hash,
      logIndex: log?.index,
      blockNumber: receipt.blockNumber,
    });
    expect(receipt.logs.map((l) => parseBridgeMinted(l))).toEqual([null, null]);
    // Any contract can emit a look-alike event; with the bridge address given, only the bridge's logs count.
    const foreign = { ...(log as NonNullable<typeof log>), address: stranger.address };
    expect(parseBridgeBurned(foreign, bridgeAddress)).toBeNull();
    expect(parseBridgeBurned(foreign)?.address).toBe(stranger.address);
  });

  it('numbers burns with a contract-wide increasing burnNonce across callers', async () => {
    const mint = { to: stranger.address, amount: ABT, lockId: randomLockId() };
    await mintAndCount(mint, [signerB, signerC]);
    const nonces: bigint[] = [];
    for (const [runner, amount] of [
      [holder, 1n],
      [stranger, ABT / 2n],
      [holder, ABT],
    ] as const) {
      const receipt = await mined(burn(amount, ARC_DID, runner));
      burnedTotal += amount;
      const burned = receipt.logs.map((log) => parseBridgeBurned(log, bridgeAddress)).find((e) => e !== null);
      expect(burned).toMatchObject({ from: runner.address, amount });
      nonces.push(burned?.burnNonce ?? -1n);
      await expectSupply();
    }
    expect(nonces).toEqual([2n, 3n, 4n]);
    expect(await call<bigint>('burnCount')).toBe(4n);
  });

  it('refuses a DID outside 10..64 bytes (BadDid), a zero amount and a burn above the balance', async () => {
    const exact = (bytes: number) => `did:abt:${'z'.repeat(bytes - 8)}`;
    expect((await revertOf(burn(1n, exact(BRIDGE_ARC_DID_BYTES_MIN - 1)))).name).toBe('BadDid');
    expect((await revertOf(burn(1n, exact(BRIDGE_ARC_DID_BYTES_MAX + 1)))).name).toBe('BadDid');
    expect((await revertOf(burn(1n, ''))).name).toBe('BadDid');
    // Bytes, not characters: 22 three-byte characters are 66 bytes.
    expect((await revertOf(burn(1n, '€'.repeat(22)))).name).toBe('BadDid');
    expect((await revertOf(burn(0n, ARC_DID))).name).toBe('ZeroAmount');
    const balance = await call<bigint>('balanceOf', holder.address);
    expect((await revertOf(burn(balance + 1n, ARC_DID))).name).toBe('ERC20InsufficientBalance');
    await expectSupply();

    // The bounds themselves are accepted.
    for (const did of [exact(BRIDGE_ARC_DID_BYTES_MIN), exact(BRIDGE_ARC_DID_BYTES_MAX)]) {
      await mined(burn(1n, did));
      burnedTotal += 1n;
    }
    await expectSupply();
  });

  it('refuses a bad signer set before deploying, and the constructor refuses it too', async () => {
    const addresses = signers.map((w) => w.address);
    const tooMany = Array.from({ length: BRIDGE_SIGNERS_MAX + 1 }, () => Wallet.createRandom().address);
    const bad: [string[], number, string][] = [
      [addresses, 0, 'BadThreshold'],
      [addresses, 4, 'BadThreshold'],
      [[], 1, 'BadThreshold'],
      [[addresses[0] as string, addresses[0] as string], 1, 'DuplicateSigner'],
      [[addresses[0] as string, '0x0000000000000000000000000000000000000000'], 1, 'ZeroSigner'],
      [tooMany, 2, 'TooManySigners'],
    ];
    const factory = new ContractFactory(ArcBridgedAbt.abi, ArcBridgedAbt.bytecode, deployer);
    for (const [set, threshold, error] of bad) {
      expect(() => checkBridgeSignerSet(set, threshold)).toThrowError(OcapError);
      await expect(deployBridgedAbt(deployer, set, threshold)).rejects.toBeInstanceOf(OcapError);
      expect((await revertOf(factory.getDeployTransaction(set, threshold).then((tx) => deployer.estimateGas(tx)))).name).toBe(error);
    }
    // 16 signers with threshold 16 is the largest set.
    const largest = Array.from({ length: BRIDGE_SIGNERS_MAX }, () => Wallet.createRandom().address);
    const { contract } = await deployBridgedAbt(deployer, largest, BRIDGE_SIGNERS_MAX);
    expect(await contract.getFunction('signers').staticCall()).toEqual(largest);
  });
});
