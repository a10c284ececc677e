import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { appRouter } from './api/router.ts';
import { createContext } from './api/trpc.ts';
import { type CorsOrigins, originAllowed, originRefusal } from './config/cors.ts';
import { serveSnapshot } from './ledger/snapshots.ts';
import { type BlockletHttpOptions, blockletHttpHandler, DEFAULT_BLOCKLET_HTTP } from './runtime/triggers/http.ts';
import type { Services } from './services.ts';

/** The largest request body the node reads (a batch of transactions fits well inside). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * CORS headers for the request's origin: every origin with `*`; else the request's own origin when it is allowed
 * (config/cors.ts), and none when it is not (the browser then keeps the answer from the page). Says whether allowed.
 */
function cors(req: IncomingMessage, res: ServerResponse, allowed: CorsOrigins): boolean {
  if (allowed !== '*') {
    res.setHeader('vary', 'Origin');
    const origin = req.headers.origin;
    if (!originAllowed(origin, allowed, req.headers.host)) return false;
    if (origin !== undefined) res.setHeader('access-control-allow-origin', origin);
  } else res.setHeader('access-control-allow-origin', '*');
  res.setHeader('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
  res.setHeader('access-control-allow-headers', 'content-type, trpc-accept, authorization');
  return true;
}

/**
 * What /health answers, from memory only: it must answer while the database is stuck. 503 (ok false)
 * names why: the storage failed (`storage`, with the error and the next retry) or blocks fail to commit.
 */
function health(services: Services) {
  const { ledger } = services;
  const storage = ledger.db.storageStatus();
  const reason = storage ? 'storage' : ledger.healthy ? null : 'blocks';
  return {
    ok: reason === null,
    chainId: ledger.chainId,
    height: ledger.head.height,
    mempool: ledger.mempool.size,
    ...(reason === null ? {} : { reason }),
    ...(storage ? { storage: { error: storage.error, sinceMs: storage.sinceMs, retryAtMs: storage.retryAtMs } } : {}),
    // The blocklet index (retried with backoff when its write fails) and how full the runtime's bounded caches are.
    blocklets: { ...services.runtime.registry.health(), caches: services.runtime.cacheSizes() },
    // The marketplace's index of the chain (retried with backoff when its write fails): how far it has read.
    ...(services.market ? { market: services.market.indexer.health() } : {}),
    // A node that follows another: whom, and why its last attempt failed (it tries again with backoff).
    ...(services.follower ? { follow: services.follower.status() } : {}),
    // A process of a cloud node: its name and whether it holds the producer lease now.
    ...(services.cloud
      ? { cloud: { process: services.cloud.options.process, producing: services.cloud.producing, epoch: services.cloud.epoch } }
      : {}),
  };
}

/**
 * The answer to a request whose handler threw: 500 with the node's error shape when nothing was sent yet, else the
 * connection is cut (a half-sent response cannot be corrected). Logged, since it is a bug of the node.
 */
function failed(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  console.error(`http: ${req.method} ${(req.url ?? '').slice(0, 200)} failed: ${(error as Error)?.stack ?? String(error)}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res
    .writeHead(500, { 'content-type': 'application/json' })
    .end(JSON.stringify({ error: { code: 'INTERNAL', message: 'The node failed to handle the request; try again.' } }));
}

/** The node's HTTP server: tRPC under /trpc, blocklets under /b/<name>/, health at /health. */
/** A certificate and its key (PEM), for HTTPS and WSS on the node's port. */
export interface TlsOptions {
  cert: string;
  key: string;
}

export const HTTP_LIMITS = {
  /**
   * How long an idle keep-alive connection stays open: above the idle timeout of the proxies in front (Node's own
   * agent 5 s, undici 4 s, nginx and common load balancers 60 s), so the proxy always closes an idle connection first.
   */
  keepAliveTimeoutMs: 65_000,
} as const;

export function createNodeServer(
  services: Services,
  tls?: TlsOptions,
  blockletHttp: BlockletHttpOptions = DEFAULT_BLOCKLET_HTTP,
  corsOrigins: CorsOrigins = '*',
): Server {
  const blocklets = blockletHttpHandler(blockletHttp);
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    maxBodySize: MAX_BODY_BYTES,
    createContext: ({ req }) => createContext(services, req),
  });
  // A throw in a request listener is an uncaught exception of the whole process: every route's failure is
  // turned into an error response for its own request instead (tRPC catches its own; the rest is caught here).
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    try {
      route(req, res);
    } catch (error) {
      failed(req, res, error);
    }
  };
  const route = (req: IncomingMessage, res: ServerResponse) => {
    const allowed = cors(req, res, corsOrigins);
    // Which process of a cloud node answered (behind a load balancer, for operators and tests).
    if (services.cloud) res.setHeader('x-arc-process', services.cloud.options.process);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'OPTIONS' && !allowed) {
      // A preflight from a page the node does not serve: refused in words (its browser will not send the request).
      res
        .writeHead(403, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code: 'FORBIDDEN', message: originRefusal(String(req.headers.origin)) } }));
    } else if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
    } else if (path === '/health') {
      const body = health(services);
      res.writeHead(body.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    } else if (path === '/snapshot') {
      serveSnapshot(services.snapshots, req, res, services.ledger.chainId).catch((error: unknown) => failed(req, res, error));
    } else if (path.startsWith('/trpc/')) {
      trpc(req, res);
    } else if (path.startsWith('/b/')) {
      blocklets(services.runtime, req, res, services.gateway?.auth).catch((error: unknown) => failed(req, res, error));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: {
            code: 'NOT_FOUND',
            message: `nothing at ${path}; the API is under /trpc, blocklets under /b/<name>, health at /health, the state at /snapshot`,
          },
        }),
      );
    }
  };
  // HTTPS and WSS when a certificate is configured; Socket.io, DDP and tRPC ride on whichever server this is.
  const server = tls ? (createTlsServer({ cert: tls.cert, key: tls.key }, handle) as unknown as Server) : createServer(handle);
  // A reverse proxy in front (the web app's /trpc rewrite, nginx, a load balancer) keeps idle connections to the node
  // open for reuse longer than Node's 5 s default: the node closing one just as the proxy reuses it fails that request
  // with ECONNRESET at the proxy. Idle connections stay open longer than the proxies' own idle timeouts instead.
  // Stopping is not slowed by this: the node's close() cuts every connection, idle or not (node.ts).
  server.keepAliveTimeout = HTTP_LIMITS.keepAliveTimeoutMs;
  return server;
}

/** Listens and resolves with the URL. */
export function listen(server: Server, host: string, port: number): Promise<string> {
  // An https.Server (TLS configured) has addContext; a plain http.Server does not.
  const scheme = 'addContext' in server ? 'https' : 'http';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve(`${scheme}://${host}:${bound}`);
    });
  });
}
