import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RPC_CODES, RpcFailure } from './rpc-failure.ts';

/** Largest request body the server reads (a batch of raw transactions fits easily). */
export const RPC_REQUEST_BYTES_MAX = 8 * 1024 * 1024;
/** Largest JSON-RPC batch accepted. */
export const RPC_BATCH_MAX = 1_000;

type Handler = (params: unknown[]) => unknown;

interface RpcRequest {
  method?: unknown;
  params?: unknown;
  id?: unknown;
}

/**
 * Serves JSON-RPC 1.0 the way bitcoind does: POST with HTTP basic auth, `{result, error, id}` replies,
 * HTTP 500 for errors (404 for an unknown method), batches answered with HTTP 200.
 */
export async function serveJsonRpc(
  methods: Record<string, Handler>,
  auth: { user: string; password: string },
  host = '127.0.0.1',
): Promise<{ url: string; server: Server }> {
  const expected = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="jsonrpc"' });
      res.end();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405);
      res.end('JSONRPC server handles only POST requests');
      return;
    }
    const body = await readBody(req);
    if (body === undefined) {
      res.writeHead(413);
      res.end();
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      reply(res, 500, { result: null, error: { code: RPC_CODES.PARSE_ERROR, message: 'Parse error' }, id: null });
      return;
    }
    if (Array.isArray(parsed)) {
      if (parsed.length > RPC_BATCH_MAX) {
        reply(res, 400, { result: null, error: { code: -32600, message: `Batch larger than ${RPC_BATCH_MAX}` }, id: null });
        return;
      }
      reply(
        res,
        200,
        parsed.map((request) => call(request as RpcRequest)),
      );
      return;
    }
    const answer = call(parsed as RpcRequest);
    const status = answer.error === null ? 200 : answer.error.code === RPC_CODES.METHOD_NOT_FOUND ? 404 : 500;
    reply(res, status, answer);
  }

  function call(request: RpcRequest): { result: unknown; error: { code: number; message: string } | null; id: unknown } {
    const id = request?.id ?? null;
    const method = typeof request?.method === 'string' ? methods[request.method] : undefined;
    if (!method || !Object.hasOwn(methods, request.method as string)) {
      return { result: null, error: { code: RPC_CODES.METHOD_NOT_FOUND, message: 'Method not found' }, id };
    }
    const params = request.params ?? [];
    if (!Array.isArray(params)) {
      return { result: null, error: { code: RPC_CODES.INVALID_PARAMETER, message: 'This node takes positional (array) params only' }, id };
    }
    try {
      return { result: method(params) ?? null, error: null, id };
    } catch (error) {
      if (error instanceof RpcFailure) return { result: null, error: { code: error.code, message: error.message }, id };
      return { result: null, error: { code: RPC_CODES.MISC_ERROR, message: (error as Error).message }, id };
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host}:${port}/`, server };
}

function reply(res: ServerResponse, status: number, body: unknown) {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > RPC_REQUEST_BYTES_MAX) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
