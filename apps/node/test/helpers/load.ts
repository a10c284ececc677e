import { TRPCClientError } from '@trpc/client';
import { isNetworkError, type NodeClient, nodeClient } from './client.ts';
import { between, sleep } from './random.ts';
import { type SignedTx, type Signer, signItx, transfer } from './wallet.ts';

const BURST_MAX_TXS = 4;
const WAIT_TIMEOUT_MS = 3000;
const IDLE_POLL_MS = 20;
/** Codes a lane answers by asking the node for its nonce again (its view went stale, e.g. after a restart). */
const RESYNC_CODES = new Set(['NONCE_GAP', 'NONCE_TOO_LOW']);

export interface LoadStats {
  sent: number;
  admitted: number;
  reportedCommitted: number;
  resyncs: number;
  resyncCodes: Record<string, number>;
}

/**
 * Signed transfers from several accounts at once, each account a lane of sequential nonces, sent in
 * small bursts without waiting. For every transaction it records whether the node REPORTED it
 * committed (tx.wait / tx.byHash), which is what a crash must never take back.
 */
export class TransferLoad {
  /** Hash → the height the node said the transaction committed at. */
  readonly reported = new Map<string, number>();
  /** Anything the node answered that a correct node never answers to this load. */
  readonly unexpected: string[] = [];
  readonly stats: LoadStats = { sent: 0, admitted: 0, reportedCommitted: 0, resyncs: 0, resyncCodes: {} };
  private url: string | null = null;
  private running = false;
  private lanes: Promise<void>[] = [];

  constructor(
    private readonly chainId: string,
    private readonly senders: Signer[],
    private readonly recipients: string[],
    private readonly random: () => number,
  ) {}

  /** Points the lanes at a node that is up. */
  attach(url: string): void {
    this.url = url;
    if (!this.running) {
      this.running = true;
      this.lanes = this.senders.map((sender) => this.lane(sender));
    }
  }

  /** Stops sending (the node is gone); lanes wait for the next attach. */
  detach(): void {
    this.url = null;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.url = null;
    await Promise.all(this.lanes);
  }

  private async lane(sender: Signer): Promise<void> {
    let client: NodeClient | null = null;
    let clientUrl: string | null = null;
    let next: number | null = null;
    while (this.running) {
      const url = this.url;
      if (url === null) {
        await sleep(IDLE_POLL_MS);
        continue;
      }
      if (url !== clientUrl || client === null) {
        client = nodeClient(url);
        clientUrl = url;
        next = null;
      }
      try {
        next ??= (await client.account.get.query({ did: sender.did })).nonce + 1;
        const burst = this.burst(sender, next);
        const admitted = await this.send(client, burst);
        next = admitted === burst.length ? next + admitted : null;
        if (next === null) this.stats.resyncs++;
        if (admitted > 0) await this.record(client, burst.slice(0, admitted));
      } catch (error) {
        next = null;
        if (!isNetworkError(error)) this.unexpected.push(`${sender.did}: ${(error as Error).message}`);
        await sleep(IDLE_POLL_MS);
      }
    }
  }

  private burst(sender: Signer, firstNonce: number): SignedTx[] {
    return Array.from({ length: between(this.random, 1, BURST_MAX_TXS) }, (_, i) => {
      const to = this.recipients[between(this.random, 0, this.recipients.length - 1)] as string;
      const memo = `load ${firstNonce + i}`;
      return signItx(this.chainId, sender, firstNonce + i, transfer(to, BigInt(between(this.random, 1, 1_000_000)), memo));
    });
  }

  /** Sends a burst in nonce order without waiting; returns how many of its first transactions got in. */
  private async send(client: NodeClient, burst: SignedTx[]): Promise<number> {
    this.stats.sent += burst.length;
    const answers = await Promise.allSettled(burst.map((tx) => client.tx.send.mutate({ tx: tx.hex })));
    let admitted = 0;
    for (const answer of answers) {
      if (answer.status === 'rejected') {
        const { reason } = answer;
        if (isNetworkError(reason)) throw reason;
        const code = reason instanceof TRPCClientError ? String((reason.data as { appCode?: string }).appCode) : String(reason);
        if (!RESYNC_CODES.has(code)) this.unexpected.push(`tx.send answered ${code}: ${(reason as Error).message}`);
        this.stats.resyncCodes[code] = (this.stats.resyncCodes[code] ?? 0) + 1;
        break;
      }
      if (answer.value.hash === burst[admitted]?.hash) admitted++;
      else this.unexpected.push(`tx.send answered hash ${answer.value.hash} for ${burst[admitted]?.hash}`);
    }
    this.stats.admitted += admitted;
    return admitted;
  }

  /** Waits for the burst's last transaction, then asks for each one and notes what the node reports. */
  private async record(client: NodeClient, txs: SignedTx[]): Promise<void> {
    const last = txs[txs.length - 1] as SignedTx;
    await client.tx.wait.query({ hash: last.hash, timeoutMs: WAIT_TIMEOUT_MS });
    const statuses = await Promise.all(txs.map((tx) => client.tx.byHash.query({ hash: tx.hash })));
    for (const status of statuses) {
      if (status.status === 'committed' && status.height !== null) {
        if (!this.reported.has(status.hash)) this.stats.reportedCommitted++;
        this.reported.set(status.hash, status.height);
      } else if (status.status === 'failed') {
        this.unexpected.push(`tx ${status.hash} failed in block ${status.height}: ${status.error?.code} ${status.error?.message}`);
      } else if (status.status === 'rejected') {
        this.unexpected.push(`tx ${status.hash} was rejected in a block: ${status.error?.code} ${status.error?.message}`);
      }
    }
  }
}
