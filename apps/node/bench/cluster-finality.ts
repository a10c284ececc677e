/**
 * bench:cluster's finality latency: transfers at a steady rate, round-robin over the nodes, each timed from its
 * tx.send being answered to tx.wait answering it committed at the same node (on a consensus chain a block is
 * committed only once it is final). Beside it, each height's agreement time as the nodes report it in
 * consensus.status (started → decided), for the heights decided while the load ran.
 */
import { nodeClient } from '../test/helpers/client.ts';
import { type NodeHttp, sleep } from './cluster-http.ts';
import type { SignedTransfer } from './cluster-load.ts';

/** How often the nodes' recent heights are read while the load runs (they keep 100; a height takes well under a second). */
const STATUS_EVERY_MS = 3_000;
/** A transfer not committed this long after its tx.send was answered counts as not committed (and this long, in the percentiles). */
export const FINALITY_WAIT_MS = 60_000;
/** How often the reader looks whether the load is over. */
const POLL_MS = 100;

export interface FinalityResult {
  /** Submit-answered → committed, ms, one per committed transfer. */
  latenciesMs: number[];
  sent: number;
  notCommitted: number;
  /** Started → decided per height on every node, ms (empty on a one-node chain). */
  decideMs: number[];
}

/**
 * Sends transfer k at start + k / ratePerSec: lanes are taken in turn (transfer k is lane k mod L's next one), lane
 * i goes to node i mod N, and a lane's transfer waits for the previous one's tx.send to be answered.
 */
export async function finality(nodes: NodeHttp[], lanes: SignedTransfer[][], ratePerSec: number, count: number): Promise<FinalityResult> {
  const decide = new DecideTimes(nodes.map((n) => n.url));
  const latenciesMs: number[] = [];
  let notCommitted = 0;
  const previous = lanes.map((): Promise<void> => Promise.resolve());
  const transfers: Promise<void>[] = [];
  const start = performance.now();
  const startEpochMs = Date.now();
  let finished = false;
  let failure: unknown;
  const polling = decide
    .pollUntil(() => finished)
    .catch((error: unknown) => {
      failure ??= error;
    });
  for (let k = 0; k < count; k += 1) {
    const waitMs = start + (k / ratePerSec) * 1000 - performance.now();
    if (waitMs > 1) await sleep(waitMs);
    const laneIndex = k % lanes.length;
    const tx = (lanes[laneIndex] as SignedTransfer[])[Math.floor(k / lanes.length)];
    if (!tx) throw new Error(`lane ${laneIndex} has no transfer ${Math.floor(k / lanes.length)}: sign more per lane`);
    const node = nodes[laneIndex % nodes.length] as NodeHttp;
    const sent = (previous[laneIndex] as Promise<void>).then(() => node.send(tx.hex));
    previous[laneIndex] = sent;
    transfers.push(
      sent
        .then(async () => {
          const answeredAt = performance.now();
          const status = await node.settled(tx.hash, answeredAt + FINALITY_WAIT_MS);
          if (status.status === 'committed') latenciesMs.push(performance.now() - answeredAt);
          else notCommitted += 1;
        })
        // Caught at once (and thrown below): a failure while transfers are still being scheduled is not left unhandled.
        .catch((error: unknown) => {
          failure ??= error;
        }),
    );
  }
  await Promise.all(transfers);
  finished = true;
  await polling;
  if (failure !== undefined) throw failure;
  return { latenciesMs, sent: count, notCommitted, decideMs: await decide.since(startEpochMs) };
}

/** Every node's recent heights (consensus.status), gathered as they scroll by. */
class DecideTimes {
  private readonly rows = new Map<string, { startedAtMs: number; decidedAtMs: number }>();
  private readonly clients: ReturnType<typeof nodeClient>[];

  constructor(urls: string[]) {
    this.clients = urls.map((url) => nodeClient(url));
  }

  async pollUntil(done: () => boolean): Promise<void> {
    let nextReadMs = 0;
    while (!done()) {
      if (performance.now() >= nextReadMs) {
        await this.read();
        nextReadMs = performance.now() + STATUS_EVERY_MS;
      }
      await sleep(POLL_MS);
    }
  }

  /** Started → decided of the heights decided since `fromEpochMs`, on every node. */
  async since(fromEpochMs: number): Promise<number[]> {
    await this.read();
    return [...this.rows.values()].filter((r) => r.decidedAtMs >= fromEpochMs).map((r) => r.decidedAtMs - r.startedAtMs);
  }

  private async read(): Promise<void> {
    await Promise.all(
      this.clients.map(async (client, i) => {
        const status = await client.consensus.status.query();
        for (const r of status.recent) {
          if (r.decidedAtMs !== null) this.rows.set(`${i}:${r.height}`, { startedAtMs: r.startedAtMs, decidedAtMs: r.decidedAtMs });
        }
      }),
    );
  }
}

/** Node `url`'s agreement counters and height (consensus.status): how many attempts ended empty, blocks decided… */
export async function consensusCounts(url: string): Promise<{ height: number; counts: Record<string, number> }> {
  const status = await nodeClient(url).consensus.status.query();
  return { height: status.height, counts: status.counts };
}
