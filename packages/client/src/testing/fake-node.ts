/**
 * A stand-in for the node speaking tRPC v11's batched HTTP wire format, so the client's own logic
 * (parsing, error mapping, waiting, proof checks) is tested without a node. The real node is
 * exercised by client.integration.test.ts.
 */

export type Handler = (input: unknown) => unknown;

/** Thrown by a handler to answer with a tRPC error carrying the node's error data. */
export class FakeError {
  constructor(
    readonly message: string,
    readonly data: { code: string; appCode?: string; retriable?: boolean },
  ) {}
}

/** Decimal strings for bigints, as the node sends them (no transformer). */
function toWire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

/** A fetch that routes each call of a batch to handlers by procedure path; records every call. */
export function fakeFetch(handlers: Record<string, Handler>, calls: string[] = []): typeof globalThis.fetch {
  return async (input, init) => {
    const url = new URL(String(input));
    const paths = decodeURIComponent(url.pathname.replace(/^.*\/trpc\//, '')).split(',');
    const inputs: Record<string, unknown> =
      init?.method === 'POST' ? JSON.parse(String(init.body)) : JSON.parse(url.searchParams.get('input') ?? '{}');
    const results = paths.map((path, i) => {
      calls.push(path);
      const handler = handlers[path];
      try {
        if (!handler) throw new FakeError(`No procedure ${path}`, { code: 'NOT_FOUND' });
        return { result: { data: toWire(handler(inputs[String(i)])) } };
      } catch (error) {
        if (!(error instanceof FakeError)) throw error;
        return { error: { message: error.message, code: -32600, data: { httpStatus: 400, path, ...error.data } } };
      }
    });
    return new Response(JSON.stringify(results), { status: 200, headers: { 'content-type': 'application/json' } });
  };
}
