/**
 * The HTTP load process of bench:ledger (a separate process, so the node's process measures only the node): posts
 * transactions to tx.send over tRPC, `concurrency` requests in flight on keep-alive connections, as many clients
 * would. Each account's transactions go in nonce order, the next once the previous is answered: the node admits
 * an account's nonces in arrival order, and requests on different connections may arrive in any order, so firing
 * nonce n+1 before n is answered can meet NONCE_GAP.
 *
 * A refusal the node marks retriable (RATE_LIMITED, MEMPOOL_FULL, UNAVAILABLE…) and a connection reset are sent
 * again after a backoff (the node's retryAfterMs when it gives one), up to RETRY_ATTEMPTS_MAX times, and counted
 * by code; anything else ends the process with exit code 1 and the node's whole answer on stderr, one line.
 *
 * Usage: node --import tsx ledger-http-load.ts <plan.json>; plan: { url, concurrency, lanes: hex tx[][] } (one
 * lane per account, in nonce order). Last line on stdout: { startEpochMs, sent, retries: { code: count } }.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';

/** Sends of one transaction at most (the first and the retries). */
const RETRY_ATTEMPTS_MAX = 12;
const BACKOFF_MIN_MS = 20;
const BACKOFF_MAX_MS = 2000;
/** A retryAfterMs from the node above this is taken as this (the bench would rather fail than stall). */
const RETRY_AFTER_MAX_MS = 10_000;
/** One request gets no answer within this: the node is hung, and the load fails. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Connection errors that mean "the request may not have arrived": tx.send is idempotent by hash, so sending again is safe. */
const RETRIABLE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED']);

export const LoadPlanSchema = z.object({
  url: z.url(),
  concurrency: z.number().int().min(1).max(1024),
  lanes: z.array(z.array(z.string().regex(/^[0-9a-f]+$/))),
});
export type LoadPlan = z.infer<typeof LoadPlanSchema>;

export const LoadResultSchema = z.object({
  startEpochMs: z.number(),
  sent: z.number().int(),
  retries: z.record(z.string(), z.number().int()),
});
export type LoadResult = z.infer<typeof LoadResultSchema>;

/** The parts of a tRPC error answer the load reads. */
const TrpcErrorSchema = z.object({
  error: z.object({
    message: z.string(),
    data: z.object({ appCode: z.string().optional(), retriable: z.boolean().optional(), retryAfterMs: z.number().optional() }).loose(),
  }),
});

type Outcome = { ok: true } | { ok: false; retriable: boolean; code: string; retryAfterMs: number | undefined; detail: string };

function post(agent: http.Agent, url: URL, tx: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ tx });
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        timeout: REQUEST_TIMEOUT_MS,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve(res.statusCode === 200 ? { ok: true } : refusal(res.statusCode ?? 0, text)));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? 'ERROR';
      resolve({ ok: false, retriable: RETRIABLE_SOCKET_CODES.has(code), code, retryAfterMs: undefined, detail: error.message });
    });
    req.end(body);
  });
}

function refusal(status: number, text: string): Outcome {
  const detail = `HTTP ${status} ${text}`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return { ok: false, retriable: false, code: `HTTP_${status}`, retryAfterMs: undefined, detail };
  }
  const parsed = TrpcErrorSchema.safeParse(json);
  if (!parsed.success) return { ok: false, retriable: false, code: `HTTP_${status}`, retryAfterMs: undefined, detail };
  const { data } = parsed.data.error;
  return { ok: false, retriable: data.retriable === true, code: data.appCode ?? `HTTP_${status}`, retryAfterMs: data.retryAfterMs, detail };
}

/** Sends one transaction until it is accepted, retrying what is retriable; throws with the node's answer otherwise. */
async function send(agent: http.Agent, url: URL, tx: string, retries: Map<string, number>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await post(agent, url, tx);
    if (outcome.ok) return;
    if (!outcome.retriable || attempt >= RETRY_ATTEMPTS_MAX) {
      const why = outcome.retriable ? `still refused after ${attempt} attempts` : 'refused (not retriable)';
      throw new Error(`tx.send ${why}: ${outcome.code}: ${outcome.detail}`);
    }
    retries.set(outcome.code, (retries.get(outcome.code) ?? 0) + 1);
    const backoffMs = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (attempt - 1));
    const waitMs = Math.min(RETRY_AFTER_MAX_MS, Math.max(backoffMs, outcome.retryAfterMs ?? 0));
    await new Promise((r) => setTimeout(r, waitMs));
  }
}

/** Runs a plan: every lane's transactions in order, lanes taken by `concurrency` senders at once. */
export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const url = new URL(plan.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: plan.concurrency });
  const retries = new Map<string, number>();
  const startEpochMs = performance.timeOrigin + performance.now();
  let nextLane = 0;
  let sent = 0;
  try {
    await Promise.all(
      Array.from({ length: plan.concurrency }, async () => {
        while (nextLane < plan.lanes.length) {
          const lane = plan.lanes[nextLane++] as string[];
          for (const tx of lane) {
            await send(agent, url, tx, retries);
            sent++;
          }
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return { startEpochMs, sent, retries: Object.fromEntries(retries) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const planFile = process.argv[2];
  if (!planFile) {
    console.error('usage: ledger-http-load.ts <plan.json>');
    process.exit(2);
  }
  runLoad(LoadPlanSchema.parse(JSON.parse(readFileSync(planFile, 'utf8')))).then(
    (result) => console.log(JSON.stringify(result)),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
