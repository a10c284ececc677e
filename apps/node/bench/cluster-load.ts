/**
 * bench:cluster's load: funded accounts (allocated in the genesis), transfers signed before anything is timed, and
 * the burst that measures committed tx/s. Every account sends to one node only (account i to node i mod N), its
 * transfers in nonce order, the next once the previous is answered: accounts go round-robin over the nodes, and no
 * node meets a nonce before the one under it.
 */
import { didFromPublicKey, encodeTx, type KeyPair, keyPairFromSeed, sha3, signTx, toHex, txHash, utf8 } from '@arc/core';
import type { NodeHttp, TxSettled } from './cluster-http.ts';
import type { Allocation } from './cluster-nodes.ts';

const ABT = 10n ** 18n;
/** Each bench account's genesis balance: far more than its transfers and fees. */
const ACCOUNT_BALANCE = 1_000_000n * ABT;
/** The dev genesis' minimum fee. */
const FEE = 10n ** 14n;

export interface BenchAccount extends KeyPair {
  did: string;
}

export interface SignedTransfer {
  hex: string;
  hash: string;
}

/** `count` accounts whose keys follow from `name` (the same in every run, so a failing run can be looked into). */
export function benchAccounts(name: string, count: number): BenchAccount[] {
  return Array.from({ length: count }, (_, i) => {
    const key = keyPairFromSeed(sha3(utf8(`bench:cluster:${name}:${i}`)));
    return { ...key, did: didFromPublicKey(key.publicKey) };
  });
}

export function allocationsOf(accounts: BenchAccount[]): Allocation[] {
  return accounts.map((a) => ({ did: a.did, amount: ACCOUNT_BALANCE }));
}

/** Per account, `perAccount` transfers to the next accounts with nonces from `firstNonce`: lanes[i] is account i's, in order. */
export function signLanes(chainId: string, accounts: BenchAccount[], firstNonce: number, perAccount: number): SignedTransfer[][] {
  return accounts.map((from, i) =>
    Array.from({ length: perAccount }, (_, n) => {
      const to = (accounts[(i + 1 + n) % accounts.length] as BenchAccount).did;
      const bytes = encodeTx(
        signTx(
          {
            chainId,
            from: from.did,
            publicKey: from.publicKey,
            nonce: firstNonce + n,
            fee: FEE,
            feePayer: null,
            itx: { type: 'transfer', to, amount: 1n + BigInt(n), tokens: [], assets: [], memo: '' },
          },
          from.secretKey,
        ),
      );
      return { hex: toHex(bytes), hash: toHex(txHash(bytes)) };
    }),
  );
}

export interface BurstResult {
  sent: number;
  committed: number;
  /** From the first tx.send to the last commit seen by a tx.wait. */
  seconds: number;
  txPerSec: number;
  /** Lanes whose last transfer did not commit (its status), at most a few. */
  notCommitted: string[];
}

/**
 * Sends every lane (lane i to node i mod N) as one batched tx.send (`sendBatch`), `inFlight` lanes at a time over all
 * nodes, and waits on each lane's last transfer at the node it went to: a lane's last transfer committed means all of
 * it did (nonces commit in order).
 * Committed tx/s = committed transfers / (last commit − first send).
 */
export async function burst(nodes: NodeHttp[], lanes: SignedTransfer[][], inFlight: number, timeoutMs: number): Promise<BurstResult> {
  const start = performance.now();
  const deadline = start + timeoutMs;
  const queues = nodes.map((_, k) => lanes.filter((_lane, i) => i % nodes.length === k));
  const perNode = Math.max(1, Math.floor(inFlight / nodes.length));
  let lastCommitMs = start;
  let committed = 0;
  const notCommitted: string[] = [];
  const waits: Promise<void>[] = [];
  let failure: unknown;
  const settle = async (node: NodeHttp, lane: SignedTransfer[]) => {
    const last = lane.at(-1) as SignedTransfer;
    const status: TxSettled = await node.settled(last.hash, deadline);
    if (status.status === 'committed') {
      committed += lane.length;
      lastCommitMs = Math.max(lastCommitMs, performance.now());
    } else if (notCommitted.length < 5) {
      notCommitted.push(`${last.hash.slice(0, 12)}… ${status.status}${status.error ? ` ${status.error.code}` : ''}`);
    }
  };
  await Promise.all(
    nodes.flatMap((node, k) => {
      const queue = queues[k] as SignedTransfer[][];
      return Array.from({ length: perNode }, async () => {
        for (let lane = queue.shift(); lane !== undefined; lane = queue.shift()) {
          await node.sendBatch(lane.map((tx) => tx.hex));
          // Caught at once (and thrown below): a wait failing while lanes are still sending is not left unhandled.
          waits.push(
            settle(node, lane).catch((error: unknown) => {
              failure ??= error;
            }),
          );
        }
      });
    }),
  );
  await Promise.all(waits);
  if (failure !== undefined) throw failure;
  const seconds = (lastCommitMs - start) / 1000;
  const sent = lanes.reduce((sum, lane) => sum + lane.length, 0);
  return { sent, committed, seconds, txPerSec: seconds > 0 ? committed / seconds : 0, notCommitted };
}
