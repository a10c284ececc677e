import { type BlockCandidate, BlockInvalid, decodeHeader, decodeSeal, fromHex, isErrorCode } from '@arc/core';
import { z } from 'zod';
import { NodeError } from '../errors.ts';
import { SubmitOut } from './api-schemas.ts';
import type { Ledger } from './ledger.ts';
import { RawBlocksOut } from './raw-blocks.ts';

/**
 * FOLLOW_URL: a node that makes no blocks of its own and imports another node's (its `block.raw` pages), each through
 * the strict import path (Ledger.importBlock: core's validateBlock, then the same commit a produced block gets). The
 * way a node started from a snapshot catches up and stays current. Transactions sent to it go to the node it follows,
 * and reach it back in that node's blocks.
 */
export const FOLLOW_LIMITS = {
  /** Blocks asked for per page (block.raw also bounds a page by its transactions). */
  pageBlocks: 20,
  /** How often the followed node is asked again once this node has its head. */
  idlePollMs: 500,
  /** After a failure (the node unreachable, a block refused), the first wait; doubled up to the max. */
  retryMinMs: 1_000,
  retryMaxMs: 30_000,
  /** One request to the followed node. */
  requestTimeoutMs: 30_000,
  /** The largest answer read from it (a page of block.raw is far smaller): past it the answer is dropped unread. */
  responseBytesMax: 64 * 1024 * 1024,
};

export type FollowLimits = typeof FOLLOW_LIMITS;

export interface FollowStatus {
  url: string;
  /** This node's head. */
  height: number;
  /** Why the last attempt failed (cleared by the next that succeeds): the followed node unreachable, or a block it served refused. */
  error: { code: string; message: string; atMs: number } | null;
}

const TrpcAnswer = z.union([
  z.object({ result: z.object({ data: z.unknown() }) }),
  z.object({ error: z.object({ message: z.string(), data: z.object({ appCode: z.string().optional() }).loose().optional() }).loose() }),
]);

/** A tRPC answer's data, or the followed node's refusal as a NodeError with its code. */
function dataOf(url: string, body: unknown): unknown {
  const answer = TrpcAnswer.safeParse(body);
  if (!answer.success) throw new NodeError('UNAVAILABLE', `${url} did not answer as a node does; check FOLLOW_URL`);
  if ('result' in answer.data) return answer.data.result.data;
  const { message, data } = answer.data.error;
  const code = data?.appCode;
  throw new NodeError(isErrorCode(code) ? code : 'UNAVAILABLE', message);
}

export class Follower {
  #running = false;
  #loop: Promise<void> | null = null;
  #sleeping: { timer: NodeJS.Timeout; wake: () => void } | null = null;
  #error: FollowStatus['error'] = null;

  constructor(
    private readonly ledger: Ledger,
    readonly url: string,
    private readonly log: (line: string) => void,
    private readonly now: () => number = Date.now,
    private readonly limits: FollowLimits = FOLLOW_LIMITS,
  ) {}

  status(): FollowStatus {
    return { url: this.url, height: this.ledger.head.height, error: this.#error };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.log(`following ${this.url} from height ${this.ledger.head.height + 1} (no blocks are made here)`);
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#sleeping) {
      clearTimeout(this.#sleeping.timer);
      this.#sleeping.wake();
    }
    await this.#loop;
  }

  /** tx.send on this node: the transaction goes to the followed node, whose answer (or refusal) is this node's. */
  async forward(txHex: string): Promise<z.infer<typeof SubmitOut>> {
    const body = await this.#request('tx.send', { method: 'POST', body: JSON.stringify({ tx: txHex }) });
    return SubmitOut.parse(dataOf(this.url, body));
  }

  async #run(): Promise<void> {
    let retryMs: number = this.limits.retryMinMs;
    while (this.#running) {
      try {
        const caughtUp = await this.#importPage();
        if (this.#error) this.log(`following ${this.url} again at height ${this.ledger.head.height}`);
        this.#error = null;
        retryMs = this.limits.retryMinMs;
        if (caughtUp) await this.#sleep(this.limits.idlePollMs);
      } catch (error) {
        const code = error instanceof NodeError ? error.code : 'UNAVAILABLE';
        const message = (error as Error).message;
        if (this.#error?.message !== message) this.log(`following ${this.url}: ${message}; trying again in ${retryMs} ms`);
        this.#error = { code, message, atMs: this.now() };
        await this.#sleep(retryMs);
        retryMs = Math.min(retryMs * 2, this.limits.retryMaxMs);
      }
    }
  }

  /** Imports the next page of blocks; true when the followed node had nothing past this node's head. */
  async #importPage(): Promise<boolean> {
    const from = this.ledger.head.height + 1;
    const input = encodeURIComponent(JSON.stringify({ from, limit: this.limits.pageBlocks }));
    const page = RawBlocksOut.parse(dataOf(this.url, await this.#request(`block.raw?input=${input}`, { method: 'GET' })));
    for (const raw of page.blocks) {
      if (!this.#running) return false;
      if (raw.height !== this.ledger.head.height + 1) {
        throw new NodeError(
          'UNAVAILABLE',
          `${this.url} served block ${raw.height} where block ${this.ledger.head.height + 1} was asked for`,
        );
      }
      const imported = await this.ledger.importBlock(candidateOf(raw));
      if (imported instanceof BlockInvalid) {
        throw new NodeError(
          'UNAVAILABLE',
          `block ${raw.height} of ${this.url} is not valid here (${imported.code}: ${imported.message}); is FOLLOW_URL a node of this chain?`,
        );
      }
    }
    return page.next === null;
  }

  async #request(path: string, init: { method: 'GET' | 'POST'; body?: string }): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.url}/trpc/${path}`, {
        ...init,
        headers: { 'content-type': 'application/json' },
        signal: AbortSignal.timeout(this.limits.requestTimeoutMs),
      });
    } catch (error) {
      throw new NodeError('UNAVAILABLE', `the node this one follows (${this.url}) did not answer: ${(error as Error).message}`);
    }
    const text = await this.#boundedText(response);
    try {
      return JSON.parse(text);
    } catch {
      throw new NodeError('UNAVAILABLE', `${this.url} answered ${response.status} without JSON; check FOLLOW_URL`);
    }
  }

  /** The answer's body, read no further than responseBytesMax (a node that is not one may send without end). */
  async #boundedText(response: Response): Promise<string> {
    const max = this.limits.responseBytesMax;
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    const reader = response.body?.getReader();
    try {
      for (;;) {
        const next = await reader?.read();
        if (!next || next.done) break;
        bytes += next.value.byteLength;
        if (bytes > max) {
          await reader?.cancel();
          throw new NodeError('UNAVAILABLE', `${this.url} answered more than ${max} bytes; check FOLLOW_URL`);
        }
        chunks.push(next.value);
      }
    } catch (error) {
      if (error instanceof NodeError) throw error;
      throw new NodeError('UNAVAILABLE', `the answer of ${this.url} broke off: ${(error as Error).message}`);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#sleeping = null;
        resolve();
      }, ms);
      this.#sleeping = { timer, wake: resolve };
    });
  }
}

/** A block as block.raw serves it, decoded for the import path (bytes that do not decode are refused there or here). */
function candidateOf(raw: z.infer<typeof RawBlocksOut>['blocks'][number]): BlockCandidate {
  try {
    return { header: decodeHeader(fromHex(raw.header)), seal: decodeSeal(fromHex(raw.seal)), txs: raw.txs.map((tx) => fromHex(tx)) };
  } catch (error) {
    throw new NodeError(
      'UNAVAILABLE',
      `block ${raw.height} does not decode (${(error as Error).message}); is FOLLOW_URL a node of this chain?`,
    );
  }
}
