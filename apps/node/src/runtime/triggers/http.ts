import type { IncomingMessage, ServerResponse } from 'node:http';
import { type BlockletHttpRequest, type BlockletManifest, httpStatusOf, isRetriable } from '@arc/core';
import { NodeError } from '../../errors.ts';
import { KeyedBuckets } from '../../gateway/rate-limit.ts';
import type { Principal } from '../../gateway/types.ts';
import { SANDBOX_ERROR_CODES, type SandboxErrorCode } from '../sandbox/types.ts';
import type { BlockletRuntime } from '../service.ts';
import { RouteBuckets } from './route-rate.ts';

/** The largest request body a blocklet route reads. */
export const BLOCKLET_HTTP_BODY_BYTES_MAX = 1024 * 1024;

/** The largest response body a blocklet may answer with. */
export const BLOCKLET_HTTP_RESPONSE_BYTES_MAX = 4 * 1024 * 1024;

/**
 * The HTTP status of each way a blocklet's run can fail, read from the catalogue (@arc/core). A blocklet over one
 * of its own limits gets a status of its own, never 500 (which reads as a fault of the node) nor 429/503 (which tell
 * the caller to come back):
 * - 504 BLOCKLET_TIMEOUT: over `limits.timeoutMs` of wall clock (the gateway's upstream timed out);
 * - 508 BLOCKLET_CPU_LIMIT: over `limits.cpuMs` of CPU ("Loop Detected": the server stopped a runaway computation);
 * - 507 BLOCKLET_MEMORY_LIMIT: over `limits.memoryMb` of heap ("Insufficient Storage");
 * - 500 BLOCKLET_ERROR: the blocklet's own code threw (as any application's unhandled error);
 * - 501 BLOCKLET_HANDLER_NOT_FOUND: the blocklet exports no `fetch` handler;
 * - 502 BLOCKLET_INVALID_CODE: the deployed bundle does not load (the upstream is broken);
 * - 503 BLOCKLET_CRASHED / BLOCKLET_OVERLOADED: the node's sandbox lost the call or is full; a retry may help.
 * Every other code (NOT_FOUND 404, RATE_LIMITED 429, EFFECTS_REJECTED 422: the database refused what the blocklet
 * wrote, see runtime/README.md) answers with the catalogue's status too.
 */
export const BLOCKLET_FAILURE_STATUS: Readonly<Record<SandboxErrorCode, number>> = Object.fromEntries(
  SANDBOX_ERROR_CODES.map((code) => [code, httpStatusOf(code)]),
) as Record<SandboxErrorCode, number>;

/** What the node's operator sets for blocklet routes (BLOCKLET_ACTIVE_CONTENT, BLOCKLET_HTTP_RATE_PER_SEC, …). */
export interface BlockletHttpOptions {
  /** `allow`: routes whose manifest sets `activeContent: true` may serve scripts on the node's origin. */
  activeContent: 'allow' | 'deny';
  /** Requests per second one caller — a DID, an app or else an IP address — may make to blocklet routes. */
  ratePerSec: number;
  /** Requests one caller may make at once before `ratePerSec` applies. */
  rateBurst: number;
}

export const DEFAULT_BLOCKLET_HTTP: BlockletHttpOptions = { activeContent: 'deny', ratePerSec: 50, rateBurst: 100 };

/** What serves `/b/<name>/<path>` on one server (see handleBlockletHttp). */
export type BlockletHttpHandler = (runtime: BlockletRuntime, req: IncomingMessage, res: ServerResponse, auth?: CallerAuth) => Promise<void>;

/** The blocklet routes of one server, with rate limits of their own (never shared with another server). */
export function blockletHttpHandler(options: BlockletHttpOptions = DEFAULT_BLOCKLET_HTTP): BlockletHttpHandler {
  const buckets = new KeyedBuckets(options.ratePerSec, options.rateBurst);
  const routeBuckets = new RouteBuckets();
  return (runtime, req, res, auth) => handleBlockletHttp(runtime, req, res, auth, options, buckets, routeBuckets);
}

/**
 * Response headers a blocklet never sets: cookies on the node's origin (the node never forwards a Cookie header
 * to a blocklet, so a cookie can only serve to attack the origin's other pages), wiping the origin's storage,
 * widening a service worker's scope, and the framing of the response (the node frames it). The node's own
 * x-blocklet-version and x-invocation-id cannot be forged either (they are set after).
 */
const FORBIDDEN_RESPONSE_HEADERS = new Set([
  'set-cookie',
  'set-cookie2',
  'clear-site-data',
  'service-worker-allowed',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'trailer',
  'proxy-authenticate',
]);

/** The sandbox every blocklet answer gets unless active content is allowed: no script, plugin, form or fetch runs. */
export const BLOCKLET_RESPONSE_CSP = "sandbox; default-src 'none'";

/**
 * The response headers of a blocklet's answer: only well-formed string headers, none of the forbidden ones,
 * always `x-content-type-options: nosniff`; and unless the route may serve active content, a CSP sandbox, so HTML,
 * SVG or XML from a blocklet renders without running anything on the node's origin.
 */
export function blockletResponseHeaders(raw: unknown, activeContent: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  if (raw && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw)) {
      const key = k.toLowerCase();
      if (typeof v !== 'string' || !/^[a-zA-Z0-9-]{1,64}$/.test(k) || FORBIDDEN_RESPONSE_HEADERS.has(key)) continue;
      // Node refuses (throws on) control characters in a value; a blocklet's bad header is dropped, not a 500.
      if (!/^[\t\x20-\x7e\x80-\xff]{0,8192}$/.test(v)) continue;
      headers[key] = v;
    }
  }
  headers['x-content-type-options'] = 'nosniff';
  if (!activeContent) {
    headers['content-security-policy'] = BLOCKLET_RESPONSE_CSP;
    delete headers['content-security-policy-report-only'];
  }
  return headers;
}

/** True when a manifest route path matches a request path (`*` at the end matches the rest). */
export function routeMatches(pattern: string, path: string): boolean {
  if (pattern.endsWith('/*')) return path === pattern.slice(0, -2) || path.startsWith(pattern.slice(0, -1));
  if (pattern.includes(':')) {
    const a = pattern.split('/');
    const b = path.split('/');
    return a.length === b.length && a.every((part, i) => part.startsWith(':') || part === b[i]);
  }
  return pattern === path;
}

type HttpRoute = BlockletManifest['interfaces']['http'][number];

function matchRoute(manifest: BlockletManifest, path: string, method: string): HttpRoute | 'no-route' | 'no-method' {
  const routes = manifest.interfaces.http.filter((r) => routeMatches(r.path, path));
  if (routes.length === 0) return 'no-route';
  return routes.find((r) => r.methods.includes(method as never)) ?? 'no-method';
}

/** What the HTTP trigger needs of the gateway's auth. */
export interface CallerAuth {
  resolve(credential: string | null | undefined): Promise<Principal>;
}

/** The caller behind `authorization: Bearer <token>`, through the gateway's sessions and API keys. */
async function callerOf(auth: CallerAuth | undefined, req: IncomingMessage): Promise<string | null> {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S{1,400})$/.exec(header);
  if (!match) throw new NodeError('BAD_INPUT', 'An authorization header is "Bearer <session token or API key>".');
  if (!auth) throw new NodeError('UNAVAILABLE', 'This node has no gateway to check the token.');
  let principal: Principal;
  try {
    principal = await auth.resolve(match[1]);
  } catch (error) {
    throw new NodeError('PERMISSION_DENIED', `The token was refused: ${(error as Error).message}`);
  }
  return principal.kind === 'did' ? principal.did : principal.kind === 'app' ? principal.appDid : null;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BLOCKLET_HTTP_BODY_BYTES_MAX) {
        reject(new NodeError('BAD_INPUT', `A request body to a blocklet is at most ${BLOCKLET_HTTP_BODY_BYTES_MAX} bytes.`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A JSON error `{ error: { code, message, retriable } }` with the catalogue's status and retriable flag. */
function sendError(res: ServerResponse, code: string, message: string): void {
  if (res.headersSent) return;
  res
    .writeHead(httpStatusOf(code), { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' })
    .end(JSON.stringify({ error: { code, message, retriable: isRetriable(code) } }));
}

/**
 * `/b/<name>/<path>`: reaches a blocklet by name (its live version, or its canary by share; `?version=` or
 * the `x-blocklet-target` header picks another version or alias). The route and method must be listed in the
 * manifest; the blocklet's `fetch` handler answers. Its response headers are filtered (blockletResponseHeaders);
 * failures are JSON errors `{ error: { code, message, retriable } }` with the catalogue's statuses (BLOCKLET_FAILURE_STATUS).
 */
async function handleBlockletHttp(
  runtime: BlockletRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  auth: CallerAuth | undefined,
  options: BlockletHttpOptions,
  buckets: KeyedBuckets,
  routeBuckets: RouteBuckets,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const match = /^\/b\/([a-z][a-z0-9-]{0,62}[a-z0-9])(\/.*)?$/.exec(url.pathname);
  if (!match) return sendError(res, 'NOT_FOUND', 'A blocklet URL is /b/<name>/<path>.');
  const name = match[1] as string;
  const path = match[2] ?? '/';
  const method = req.method ?? 'GET';
  try {
    const target = (req.headers['x-blocklet-target'] as string | undefined) ?? url.searchParams.get('version') ?? 'live';
    const caller = await callerOf(auth, req);
    const limitKey = caller ?? `ip:${req.socket.remoteAddress ?? 'unknown'}`;
    if (!buckets.take(limitKey, Date.now())) {
      return sendError(res, 'RATE_LIMITED', `More than ${options.ratePerSec} requests per second to blocklets; slow down.`);
    }
    const { version, manifest } = await runtime.manifestOf(name, target);
    const route = matchRoute(manifest, path, method);
    if (route === 'no-route') return sendError(res, 'NOT_FOUND', `${name} has no route ${path} (its manifest lists interfaces.http).`);
    if (route === 'no-method') return sendError(res, 'METHOD_NOT_ALLOWED', `${name} does not take ${method} on ${path}.`);
    // The route's own limit (its manifest's rateLimit) applies on top of the operator's: stricter, never looser.
    if (route.rateLimit && !routeBuckets.take(`${name}@${version}${route.path}`, route.rateLimit, limitKey, Date.now())) {
      return sendError(res, 'RATE_LIMITED', `More than ${route.rateLimit.perSec} requests per second to ${name}${route.path}; slow down.`);
    }
    if (route.auth === 'required' && caller === null) {
      return sendError(
        res,
        'UNAUTHORIZED',
        `${path} of ${name} needs a signed-in caller: send authorization: Bearer <session token or API key>.`,
      );
    }
    const body = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
    const request: BlockletHttpRequest = {
      method,
      path,
      query: Object.fromEntries(url.searchParams.entries()),
      // The credential stays with the gateway; the blocklet learns who called.
      headers: Object.fromEntries(
        Object.entries(req.headers)
          .filter(([k]) => k !== 'authorization' && k !== 'cookie')
          .map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
      ),
      body,
      caller,
    };
    const outcome = await runtime.invoke(name, { handler: 'fetch', input: request, trigger: 'http' }, version);
    if (!outcome.ok) return sendError(res, outcome.error?.code ?? 'BLOCKLET_ERROR', outcome.error?.message ?? 'The blocklet failed.');
    const answer = (outcome.output ?? {}) as { status?: unknown; headers?: unknown; body?: unknown };
    const status =
      typeof answer.status === 'number' && Number.isInteger(answer.status) && answer.status >= 200 && answer.status <= 599
        ? answer.status
        : 200;
    // Scripts on the node's origin need both the blocklet's manifest and the node's operator to say so.
    const headers = blockletResponseHeaders(answer.headers, route.activeContent === true && options.activeContent === 'allow');
    let text: string;
    if (typeof answer.body === 'string') {
      text = answer.body;
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    } else {
      text = JSON.stringify(answer.body ?? null);
      headers['content-type'] ??= 'application/json';
    }
    if (Buffer.byteLength(text) > BLOCKLET_HTTP_RESPONSE_BYTES_MAX)
      return sendError(res, 'BLOCKLET_ERROR', 'The blocklet answered with more than 4 MB.');
    headers['x-blocklet-version'] = outcome.version;
    headers['x-invocation-id'] = outcome.invocationId;
    res.writeHead(status, headers).end(method === 'HEAD' ? undefined : text);
  } catch (error) {
    if (error instanceof NodeError) return sendError(res, error.code, error.message);
    sendError(res, 'INTERNAL', `The node failed to run the blocklet: ${(error as Error).message}`);
  }
}
