import { randomBytes } from 'node:crypto';
import { type AnvilInstance, startAnvil } from '@arc/adapters/testing';
import { approvalDigest, didFromPublicKey, fromHex, keyPairFromSeed, signAdmin, toHex, verifySignature } from '@arc/core';
import { AbiCoder, Wallet as EthWallet, id, JsonRpcProvider, recoverAddress, Transaction, verifyTypedData } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import { releaseItx } from '../src/economy/bridge/signer.ts';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { deploySource, signedUpload } from './helpers/blocklets.ts';
import { appError, type NodeClient, nodeClient } from './helpers/client.ts';
import { ABT, randomSigner, transfer, Wallet } from './helpers/wallet.ts';

/**
 * Keys the node holds for a blocklet (`ctx.keys`, permissions.keys), the ABI codec (`ctx.abi`) and read-only native
 * calls (`ctx.ocap.native`, OCAP level 3), on a real node with anvil as one of its chains. The keys' secrets are
 * secure environment variables: they sign, and never reach the blocklet's code.
 */

const CODE = `
export default {
  async call(input, ctx) {
    try {
      switch (input.op) {
        case 'env': return { env: Object.keys(ctx.env) };
        case 'info': return await ctx.keys.info(input.key);
        case 'sign': return await ctx.keys.sign(input.key, input.message);
        case 'typed': return await ctx.keys.signTypedData(input.key, input.typed);
        case 'ethTx': return await ctx.keys.signEthereumTransaction(input.key, input.tx);
        case 'approve': return await ctx.keys.approve(input.key, input.itx);
        case 'encode': return await ctx.abi.encode(input.types, input.values);
        case 'decode': return await ctx.abi.decode(input.types, input.data);
        case 'keccak': return await ctx.abi.keccak256(input.data);
        case 'native': return await ctx.ocap.native(input.chain, input.method, input.params);
      }
    } catch (e) {
      return { code: e.code, message: e.message };
    }
  },
};
`;

function manifest(owner: string): string {
  return `name: keyed
version: 1.0.0
title: Keyed
author: ${owner}
entry: index.ts
permissions:
  chains:
    - { chain: arc, level: 3 }
    - { chain: anvil, level: 3 }
    - { chain: mock, level: 2 }
  keys:
    - { name: LEDGER_KEY, scheme: ed25519 }
    - { name: ETH_KEY, scheme: secp256k1 }
environment:
  - { name: GREETING, default: hi }
`;
}

describe('keys, ABI and native reads for blocklets', () => {
  let anvil: AnvilInstance;
  let node: TestNode;
  let client: NodeClient;
  let owner: Wallet;
  const seed = new Uint8Array(randomBytes(32));
  const ethKey = EthWallet.createRandom().privateKey;

  const call = async (input: object) => (await client.blocklet.invoke.mutate({ name: 'keyed', input: input as never })).output as never;
  const setEnv = (key: string, value: string, secure: boolean) => {
    const set = { key, value, secure };
    return client.blocklet.setEnv.mutate({ name: 'keyed', ...set, auth: signAdmin(owner.signer, 'setEnv', 'keyed', set, Date.now()) });
  };

  beforeAll(async () => {
    anvil = await startAnvil();
    node = await startTestNode({
      blockIntervalMs: 100,
      ocapChains: [
        { name: 'arc', adapter: 'native' },
        { name: 'mock', adapter: 'mock', blockTimeMs: 1000, balances: {} },
        { name: 'anvil', adapter: 'ethereum', rpcUrl: anvil.rpcUrl, chainId: anvil.chainId },
      ],
    });
    client = nodeClient(node.url);
    const faucet = new Wallet(client, node.chainId, devKey('faucet'));
    owner = new Wallet(client, node.chainId, randomSigner());
    await client.tx.wait.query({ hash: (await faucet.send(transfer(owner.did, 10n * ABT))).hash, timeoutMs: 10_000 });
    await deploySource(client, owner, manifest(owner.did), { 'index.ts': CODE });
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
    await anvil?.stop();
  });

  it('refuses to sign with a key that is not set, or set as a plain variable, or not listed', async () => {
    expect(await call({ op: 'info', key: 'LEDGER_KEY' })).toMatchObject({ code: 'BLOCKLET_KEY_MISSING' });
    await setEnv('LEDGER_KEY', toHex(seed), false);
    expect(await call({ op: 'info', key: 'LEDGER_KEY' })).toMatchObject({
      code: 'BLOCKLET_KEY_MISSING',
      message: expect.stringMatching(/secure: true/),
    });
    expect(await call({ op: 'sign', key: 'OTHER', message: '0x00' })).toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('signs with an ed25519 key it holds, whose secret never reaches the code', async () => {
    await setEnv('LEDGER_KEY', toHex(seed), true);
    const pair = keyPairFromSeed(seed);
    expect(await call({ op: 'info', key: 'LEDGER_KEY' })).toEqual({
      scheme: 'ed25519',
      publicKey: `0x${toHex(pair.publicKey)}`,
      address: didFromPublicKey(pair.publicKey),
    });
    const signature = (await call({ op: 'sign', key: 'LEDGER_KEY', message: '0x68656c6c6f' })) as string;
    expect(verifySignature(pair.publicKey, fromHex('68656c6c6f'), fromHex(signature))).toBe(true);
    // A key's variable is never handed to ctx.env, even when set; the declared ones are.
    expect(await call({ op: 'env' })).toEqual({ env: ['GREETING'] });
    expect(await call({ op: 'sign', key: 'LEDGER_KEY', message: 'not hex' })).toMatchObject({ code: 'BAD_INPUT' });
  });

  it('approves a bridge release over the chain’s approval digest, and refuses what is not one', async () => {
    const request = { ethTxHash: `0x${'ab'.repeat(32)}`, logIndex: 1, to: owner.did, amount: 5n * ABT };
    const approval = (await call({
      op: 'approve',
      key: 'LEDGER_KEY',
      itx: { type: 'bridgeRelease', ...request, amount: request.amount.toString() },
    })) as { did: string; publicKey: string; signature: string };
    const pair = keyPairFromSeed(seed);
    expect(approval.did).toBe(didFromPublicKey(pair.publicKey));
    expect(verifySignature(pair.publicKey, approvalDigest(node.chainId, releaseItx(request)), fromHex(approval.signature))).toBe(true);
    expect(await call({ op: 'approve', key: 'LEDGER_KEY', itx: { type: 'transfer', to: owner.did } })).toMatchObject({ code: 'BAD_INPUT' });
    expect(await call({ op: 'approve', key: 'ETH_KEY', itx: { type: 'bridgeRelease' } })).toMatchObject({ code: 'BAD_INPUT' });
  });

  it('signs digests and EIP-712 data with a secp256k1 key, as an Ethereum wallet does', async () => {
    await setEnv('ETH_KEY', ethKey, true);
    const wallet = new EthWallet(ethKey);
    expect(await call({ op: 'info', key: 'ETH_KEY' })).toMatchObject({ scheme: 'secp256k1', address: wallet.address });
    const digest = id('a digest');
    expect(recoverAddress(digest, (await call({ op: 'sign', key: 'ETH_KEY', message: digest })) as string)).toBe(wallet.address);
    expect(await call({ op: 'sign', key: 'ETH_KEY', message: '0x1234' })).toMatchObject({ code: 'BAD_INPUT' });
    const typed = {
      domain: { name: 'Test', version: '1', chainId: anvil.chainId, verifyingContract: wallet.address },
      types: {
        Mint: [
          { name: 'to', type: 'address' },
          { name: 'amount', type: 'uint256' },
        ],
      },
      message: { to: wallet.address, amount: '1000000000000000000000' },
    };
    const signature = (await call({ op: 'typed', key: 'ETH_KEY', typed })) as string;
    expect(verifyTypedData(typed.domain, typed.types, typed.message, signature)).toBe(wallet.address);
    expect(await call({ op: 'typed', key: 'LEDGER_KEY', typed })).toMatchObject({ code: 'BAD_INPUT' });
    expect(
      await call({ op: 'typed', key: 'ETH_KEY', typed: { ...typed, types: { Mint: [{ name: 'to', type: 'nonsense' }] } } }),
    ).toMatchObject({
      code: 'BAD_INPUT',
    });
  });

  it('signs an Ethereum transaction with a secp256k1 key, ready to send, and refuses a malformed one', async () => {
    const wallet = new EthWallet(ethKey);
    const provider = new JsonRpcProvider(anvil.rpcUrl, anvil.chainId, { staticNetwork: true });
    // The key's address pays the gas: anvil's first dev account funds it.
    const funder = await provider.getSigner(0);
    await (await funder.sendTransaction({ to: wallet.address, value: 10n ** 18n })).wait();
    const to = EthWallet.createRandom().address;
    const tx = {
      chainId: String(anvil.chainId),
      nonce: await provider.getTransactionCount(wallet.address, 'pending'),
      to,
      value: '12345',
      gasLimit: '21000',
      maxFeePerGas: String(10n ** 10n),
      maxPriorityFeePerGas: '1',
    };
    const signed = (await call({ op: 'ethTx', key: 'ETH_KEY', tx })) as { rawTx: string; hash: string; from: string };
    const parsed = Transaction.from(signed.rawTx);
    expect(parsed).toMatchObject({ from: wallet.address, to, value: 12345n, hash: signed.hash });
    expect(signed.from).toBe(wallet.address);
    const receipt = await (await provider.broadcastTransaction(signed.rawTx)).wait();
    expect(receipt?.status).toBe(1);
    expect(await provider.getBalance(to)).toBe(12345n);
    expect(await call({ op: 'ethTx', key: 'ETH_KEY', tx: { ...tx, to: 'nowhere' } })).toMatchObject({ code: 'BAD_INPUT' });
    expect(await call({ op: 'ethTx', key: 'LEDGER_KEY', tx })).toMatchObject({ code: 'BAD_INPUT' });
    provider.destroy();
  });

  it('encodes, decodes and hashes Ethereum ABI data', async () => {
    const data = (await call({ op: 'encode', types: ['string', 'uint256'], values: ['did:abt:z1x', '12345678901234567890123'] })) as string;
    expect(data).toBe(AbiCoder.defaultAbiCoder().encode(['string', 'uint256'], ['did:abt:z1x', 12345678901234567890123n]));
    expect(await call({ op: 'decode', types: ['string', 'uint256'], data })).toEqual(['did:abt:z1x', '12345678901234567890123']);
    expect(await call({ op: 'keccak', data: 'Transfer(address,address,uint256)' })).toBe(id('Transfer(address,address,uint256)'));
    expect(await call({ op: 'decode', types: ['uint256'], data: '0x12' })).toMatchObject({ code: 'BAD_INPUT' });
  });

  it('reads natively at level 3, only what reads, and only where the manifest allows it', async () => {
    expect(typeof (await call({ op: 'native', chain: 'anvil', method: 'eth_blockNumber', params: [] }))).toBe('string');
    // Node administration and writes are never passed through, whatever the level.
    expect(await call({ op: 'native', chain: 'anvil', method: 'anvil_mine', params: ['0x1'] })).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await call({ op: 'native', chain: 'anvil', method: 'eth_sendTransaction', params: [{}] })).toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(await call({ op: 'native', chain: 'mock', method: 'getTx', params: [] })).toMatchObject({ code: 'PERMISSION_DENIED' });
    const funding = await owner.send(transfer(randomSigner().did, 1n));
    await client.tx.wait.query({ hash: funding.hash, timeoutMs: 10_000 });
    const read = (await call({ op: 'native', chain: 'arc', method: 'getTx', params: [funding.hash] })) as {
      status: string;
      tx: { type: string; itx: { amount: string } };
    };
    expect(read).toMatchObject({ status: 'committed', tx: { type: 'transfer', itx: { amount: '1' } } });
    expect(await call({ op: 'native', chain: 'arc', method: 'getTx', params: [42] })).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await call({ op: 'native', chain: 'arc', method: 'sendRaw', params: ['00'] })).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses a manifest that would hand a key to the code through its environment', async () => {
    const text = `${manifest(owner.did)}  - { name: ETH_KEY, secure: true }\n`.replace('name: keyed', 'name: keyed-leak');
    const upload = signedUpload(owner.signer, { manifest: { file: 'blocklet.yml', text }, files: { 'index.ts': CODE } }, 'keyed-leak');
    const refused = await appError(client.blocklet.upload.mutate(upload));
    expect(refused).toMatchObject({
      appCode: 'MANIFEST_INVALID',
      message: expect.stringMatching(/blocklet\.yml:13:\d+ permissions\.keys\.1\.name: ETH_KEY is also under environment/),
    });
  });
});
