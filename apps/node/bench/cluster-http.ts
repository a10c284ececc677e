/**
 * bench:cluster's client of a node's tRPC over plain HTTP (keep-alive, no tRPC client: the load must cost the machine
 * as little as possible beside the nodes it measures): `tx.send` with the retries a wallet makes for a refusal the
 * node marks retriable, and `tx.wait` until a transaction is settled.
 */
import http from 'node:http';
import { z } from 'zod';

/** Sends of one transaction at most (the first and the retries). */
const SEND_ATTEMPTS_MAX = 12;
const BACKOFF_MIN_MS = 20;
const BACKOFF_MAX_MS = 2000;
/** A retryAfterMs from the node above this is taken as this (the bench would rather fail than stall). */
const RETRY_AFTER_MAX_MS = 10_000;
/** Calls in one batched request: the client library's maxBatchItems. */
const BATCH_ITEMS_MAX = 50;
/** One request unanswered this long: the node is hung. Above tx.wait's longest wait (WAIT_MAX_MS, 30 s). */
const REQUEST_TIMEOUT_MS = 40_000;
/** How long one tx.wait call asks the node to hold (its bound is 30 s); pending after it, the bench asks again. */
const WAIT_CALL_MS = 20_000;
/** The code of a request the node left unanswered for REQUEST_TIMEOUT_MS. */
const TIMEOUT_CODE = 'REQUEST_TIMEOUT';
/** Connection errors after which the request may not have arrived: tx.send is idempotent by hash, so it is sent again. */
const RETRIABLE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', TIMEOUT_CODE]);
/** Failures after which a tx.wait is simply asked again. */
const WAIT_AGAIN_CODES = new Set(['ECONNRESET', 'EPIPE', TIMEOUT_CODE]);

const TrpcErrorSchema = z.object({
  error: z.object({
    message: z.string(),
    data: z.object({ appCode: z.string().optional(), retriable: z.boolean().optional(), retryAfterMs: z.number().optional() }).loose(),
  }),
});
const TxStatusSchema = z.object({
  result: z.object({
    data: z.object({
      status: z.enum(['pending', 'committed', 'failed', 'rejected', 'unknown']),
      height: z.number().nullable(),
      error: z.object({ code: z.string(), message: z.string() }).nullable(),
    }),
  }),
});
const BatchSchema = z.array(z.union([z.object({ error: z.unknown() }), z.object({ result: z.unknown() })]));
export type TxSettled = z.infer<typeof TxStatusSchema>['result']['data'];

type Answer = { status: number; text: string } | { status: 0; code: string; text: string };

/** One node's connections: sends and waits on separate keep-alive pools (a wait holds its socket until a commit). */
export class NodeHttp {
  private readonly sends: http.Agent;
  private readonly waits: http.Agent;
  readonly retries = new Map<string, number>();

  constructor(
    readonly url: string,
    sendSockets: number,
    waitSockets: number,
  ) {
    this.sends = new http.Agent({ keepAlive: true, maxSockets: sendSockets });
    this.waits = new http.Agent({ keepAlive: true, maxSockets: waitSockets });
  }

  close(): void {
    this.sends.destroy();
    this.waits.destroy();
  }

  /** tx.send until admitted, retrying what the node says a retry can help; throws with the node's answer otherwise. */
  async send(txHex: string): Promise<void> {
    const body = JSON.stringify({ tx: txHex });
    for (let attempt = 1; ; attempt += 1) {
      const answer = await this.request(this.sends, 'POST', '/trpc/tx.send', body);
      if (answer.status === 200) return;
      const refusal = refusalOf(answer);
      if (!refusal.retriable || attempt >= SEND_ATTEMPTS_MAX) {
        throw new Error(
          `${this.url} tx.send ${refusal.retriable ? `still refused after ${attempt} attempts` : 'refused'}: ${refusal.detail}`,
        );
      }
      this.retries.set(refusal.code, (this.retries.get(refusal.code) ?? 0) + 1);
      const backoffMs = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (attempt - 1));
      await sleep(Math.min(RETRY_AFTER_MAX_MS, Math.max(backoffMs, refusal.retryAfterMs ?? 0)));
    }
  }

  /**
   * tx.send of several transactions in one request, the way the client library's httpBatchLink sends calls made
   * together (at most BATCH_ITEMS_MAX, its limit): one HTTP round trip and one request to parse for the lot. A
   * transaction the node refused but marks retriable, or a batch lost on the wire, is sent again alone (`send`), in order.
   */
  async sendBatch(txHexes: string[]): Promise<void> {
    for (let from = 0; from < txHexes.length; from += BATCH_ITEMS_MAX) {
      const chunk = txHexes.slice(from, from + BATCH_ITEMS_MAX);
      const body = JSON.stringify(Object.fromEntries(chunk.map((tx, i) => [String(i), { tx }])));
      const answer = await this.request(this.sends, 'POST', `/trpc/${chunk.map(() => 'tx.send').join(',')}?batch=1`, body);
      const items = batchItems(answer, chunk.length);
      for (const [i, tx] of chunk.entries()) {
        const item = items?.[i];
        if (item && !('error' in item)) continue;
        if (item && 'error' in item) {
          const refusal = refusalOf({ status: 400, text: JSON.stringify(item) });
          if (!refusal.retriable) throw new Error(`${this.url} tx.send refused: ${refusal.detail}`);
          this.retries.set(refusal.code, (this.retries.get(refusal.code) ?? 0) + 1);
        }
        await this.send(tx);
      }
    }
  }

  /** tx.wait until the transaction is settled (committed, failed or rejected here), or `deadlineMs` (performance.now) passes. */
  async settled(hash: string, deadlineMs: number): Promise<TxSettled> {
    for (;;) {
      const timeoutMs = Math.max(0, Math.min(WAIT_CALL_MS, Math.round(deadlineMs - performance.now())));
      const input = encodeURIComponent(JSON.stringify({ hash, timeoutMs }));
      const answer = await this.request(this.waits, 'GET', `/trpc/tx.wait?input=${input}`, null);
      // A long poll unanswered in time (a node too busy) or a keep-alive connection the node closed under it: asked
      // again (tx.wait only reads) until the deadline. A refused connection (the node is gone) ends the bench.
      if ('code' in answer && WAIT_AGAIN_CODES.has(answer.code)) {
        if (performance.now() >= deadlineMs) return { status: 'pending', height: null, error: null };
        this.retries.set(`tx.wait ${answer.code}`, (this.retries.get(`tx.wait ${answer.code}`) ?? 0) + 1);
        await sleep(BACKOFF_MIN_MS);
        continue;
      }
      if (answer.status !== 200) throw new Error(`${this.url} tx.wait ${hash}: ${refusalOf(answer).detail}`);
      const settled = TxStatusSchema.parse(JSON.parse(answer.text)).result.data;
      if (settled.status !== 'pending' || performance.now() >= deadlineMs) return settled;
    }
  }

  private request(agent: http.Agent, method: 'GET' | 'POST', path: string, body: string | null): Promise<Answer> {
    const target = new URL(this.url);
    return new Promise((resolve) => {
      const headers: http.OutgoingHttpHeaders =
        body === null ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
      const req = http.request(
        { host: target.hostname, port: target.port, path, method, agent, timeout: REQUEST_TIMEOUT_MS, headers },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`), { code: TIMEOUT_CODE })));
      req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: 0, code: error.code ?? 'ERROR', text: error.message }));
      req.end(body ?? undefined);
    });
  }
}

/** A batched answer's items (each a result or an error), or null when the answer is not a batch of `count`. */
function batchItems(answer: Answer, count: number): ({ result: unknown } | { error: unknown })[] | null {
  if ('code' in answer) return null;
  let json: unknown;
  try {
    json = JSON.parse(answer.text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return null;
  }
  const parsed = BatchSchema.safeParse(json);
  return parsed.success && parsed.data.length === count ? parsed.data : null;
}

interface Refusal {
  retriable: boolean;
  code: string;
  retryAfterMs: number | undefined;
  detail: string;
}

function refusalOf(answer: Answer): Refusal {
  if ('code' in answer) {
    return { retriable: RETRIABLE_SOCKET_CODES.has(answer.code), code: answer.code, retryAfterMs: undefined, detail: answer.text };
  }
  const detail = `HTTP ${answer.status} ${answer.text.slice(0, 500)}`;
  let json: unknown;
  try {
    json = JSON.parse(answer.text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return { retriable: false, code: `HTTP_${answer.status}`, retryAfterMs: undefined, detail };
  }
  const parsed = TrpcErrorSchema.safeParse(json);
  if (!parsed.success) return { retriable: false, code: `HTTP_${answer.status}`, retryAfterMs: undefined, detail };
  const { data } = parsed.data.error;
  return { retriable: data.retriable === true, code: data.appCode ?? `HTTP_${answer.status}`, retryAfterMs: data.retryAfterMs, detail };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
