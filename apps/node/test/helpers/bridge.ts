import { ArcBridgedAbt, parseBridgeBurned } from '@arc/adapters';
import { burnReceiptId, decodeAccount, fromHex, type Itx } from '@arc/core';
import { type Contract, type ContractRunner, type ContractTransactionResponse, Interface, isError, type Provider } from 'ethers';
import { expect } from 'vitest';
import type { BridgeFaults, BridgeStep } from '../../src/economy/bridge/options.ts';
import type { TestNode } from '../../src/testing.ts';
import { appError, type NodeClient } from './client.ts';
import type { Wallet } from './wallet.ts';

/** What the bridge tests share: a contract call's revert reason, a burn they made, a relayer that crashes, the truth. */

const bridgeErrors = new Interface(ArcBridgedAbt.abi);

/** The custom error a bridge call reverted with (its name), or a failure when it did not revert. */
export async function revertName(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    const parsed = isError(error, 'CALL_EXCEPTION') && error.data ? bridgeErrors.parseError(error.data) : null;
    if (parsed) return parsed.name;
    throw error;
  }
  throw new Error('expected the call to revert');
}

export interface Burn {
  txHash: string;
  logIndex: number;
  amount: bigint;
}

/** Fault hooks that stop the relayer at `step` and at every step after (a crashed process does nothing more). */
export function crashAt(step: BridgeStep): { faults: BridgeFaults; crashed: () => boolean } {
  let crashed = false;
  return {
    crashed: () => crashed,
    faults: (at) => {
      if (crashed) throw new Error('the relayer crashed (test)');
      if (at === step) {
        crashed = true;
        throw new Error(`the relayer crashed after ${step} (test)`);
      }
    },
  };
}

/**
 * What the two chains say of the bridge, ledger first (one snapshot), then Ethereum at one block: the escrow, the
 * ERC-20 supply, what was locked and not minted, and what was burned and not released.
 */
export async function chainsTruth(at: {
  node: TestNode;
  provider: Provider & ContractRunner;
  view: <T>(fn: string, args: unknown[], blockTag?: number) => Promise<T>;
  locks: { lockId: string; amount: bigint }[];
  burns: Burn[];
}) {
  const { node, provider, view, locks, burns } = at;
  const economy = node.services.ledger.params.economy;
  const ids = burns.map((b) => burnReceiptId(fromHex(b.txHash), b.logIndex));
  const ledger = await node.db.transaction(async (sql) => {
    const [row] = await sql.query<{ value: Uint8Array }>('SELECT value FROM accounts WHERE did = $1', [economy.bridgeEscrow]);
    const released = await sql.query<{ id: string }>('SELECT id FROM receipts WHERE id = ANY($1::text[])', [ids]);
    return { escrow: row ? decodeAccount(new Uint8Array(row.value)).balance : 0n, released: new Set(released.map((r) => r.id)) };
  });
  const block = await provider.getBlockNumber();
  const totalSupply = await view<bigint>('totalSupply', [], block);
  let lockedNotMinted = 0n;
  for (const l of locks) if (!(await view<boolean>('minted', [l.lockId], block))) lockedNotMinted += l.amount;
  let burnedNotReleased = 0n;
  for (const [i, b] of burns.entries()) {
    const receipt = await provider.getTransactionReceipt(b.txHash);
    const onChain = receipt !== null && receipt.blockNumber <= block;
    if (onChain && !ledger.released.has(ids[i] as string)) burnedNotReleased += b.amount;
  }
  return { escrow: ledger.escrow, totalSupply, lockedNotMinted, burnedNotReleased };
}

/** Burns `amount` to `did` on Ethereum (the contract connected to the holder's wallet): the burn as the tests track it. */
export async function burnOn(token: Contract, contractAddress: string, amount: bigint, did: string): Promise<Burn> {
  const sent = (await token.getFunction('burnToArc')(amount, did)) as ContractTransactionResponse;
  const receipt = await sent.wait();
  const burned = receipt?.logs.map((log) => parseBridgeBurned(log, contractAddress)).find((b) => b !== null);
  if (!burned) throw new Error('the burn emitted no BridgeBurned');
  return { txHash: burned.txHash.toLowerCase(), logIndex: burned.logIndex, amount };
}

type Flows = { toEthereum: { amount: string }; toLedger: { amount: string } };

/** What the bridge's status says the escrow owes: the ERC-20 supply plus everything in flight or stuck. */
export function statusOwed(s: { totalSupply: string; inFlight: Flows; stuck: Flows }): bigint {
  const sum = (f: Flows) => BigInt(f.toEthereum.amount) + BigInt(f.toLedger.amount);
  return BigInt(s.totalSupply) + sum(s.inFlight) + sum(s.stuck);
}

/**
 * The code a transaction of `user` is turned away with: refused at once (its nonce stays free), or failed in its block
 * (`inBlock`: its fee charged, nothing else done).
 */
export async function turnedAway(client: NodeClient, user: Wallet, itx: Itx): Promise<{ code: string; inBlock: boolean }> {
  const tx = await user.sign(itx);
  const sent = await client.tx.send.mutate({ tx: tx.hex }).catch((error: unknown) => error);
  if (sent instanceof Error) {
    user.resync();
    return { code: (await appError(Promise.reject(sent))).appCode, inBlock: false };
  }
  const status = await client.tx.wait.query({ hash: tx.hash, timeoutMs: 20_000 });
  expect(status.status, `${tx.hash} ended ${status.status}`).toBe('failed');
  return { code: status.error?.code ?? '', inBlock: true };
}
