import { connect } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { deploySource } from './helpers/blocklets.ts';
import { useTestNode } from './helpers/node.ts';

/**
 * The node's HTTP port under raw TCP: pipelined requests, 10,000-deep JSON bodies to tRPC and to a blocklet route,
 * truncated chunked bodies, NUL bytes and oversize headers. Whatever a request holds, it gets an answer (or its
 * connection is closed) and `/health` answers 200 after every batch.
 */

const FUZZ_BLOCKLET = `
// A value nested far deeper than JSON.stringify can recurse.
function deep(depth) { let value = 1; for (let i = 0; i < depth; i++) value = [value]; return value; }
export default {
  async fetch(request) {
    // Parses what it is sent and answers it back: a deep body comes back as a deep output.
    if (request.path === '/parse') return { body: JSON.parse(request.body || 'null') };
    if (request.path === '/length') return { body: { length: request.body.length } };
    if (request.path === '/deep') return { body: deep(3000) };
    if (request.path === '/deep-headers') return { headers: deep(3000), body: 'ok' };
    return { body: 'ok' };
  },
  async call(input) { return input === 'deep' ? deep(3000) : input; },
};
`;

const deepArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const DEEP = deepArrays(10_000);

interface RawExchange {
  /** Everything the node sent back, as latin1 text. */
  text: string;
  /** The status codes of the responses, in order. */
  statuses: number[];
  closed: boolean;
}

/**
 * Writes `bytes` to the node in one write (then half-closes when `end`), and collects what comes back until
 * `responses` status lines arrived, the node closed the connection, or `waitMs` passed.
 */
function exchange(
  url: string,
  bytes: string | Buffer,
  options: { responses?: number; end?: boolean; waitMs?: number } = {},
): Promise<RawExchange> {
  const { port, hostname } = new URL(url);
  const { responses = 1, end = false, waitMs = 10_000 } = options;
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    let closed = false;
    const statuses = () => [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, statuses: statuses(), closed });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (statuses().length >= responses && !end) finish();
    });
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('error', () => undefined);
    socket.write(bytes, () => {
      if (end) socket.end();
    });
  });
}

function post(path: string, body: string, headers: Record<string, string> = {}): string {
  const lines = Object.entries({
    host: 'localhost',
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  return `POST ${path} HTTP/1.1\r\n${lines.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`;
}

function get(path: string, headers: Record<string, string> = {}): string {
  const lines = Object.entries({ host: 'localhost', ...headers });
  return `GET ${path} HTTP/1.1\r\n${lines.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
}

describe('HTTP fuzz', () => {
  const context = useTestNode('pglite', { blockIntervalMs: 100 });

  const healthy = async () => {
    const res = await fetch(`${context.node.url}/health`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
  };

  beforeAll(async () => {
    const manifest = `name: fuzz\nversion: 1.0.0\ntitle: Fuzz\nauthor: ${context.alice.did}\nentry: index.js\ninterfaces:\n  http:\n    - { path: /, methods: [GET] }\n    - { path: /parse, methods: [POST] }\n    - { path: /length, methods: [POST] }\n    - { path: /deep, methods: [GET] }\n    - { path: /deep-headers, methods: [GET] }\n`;
    await deploySource(context.client, context.alice, manifest, { 'index.js': FUZZ_BLOCKLET });
    const res = await fetch(`${context.node.url}/b/fuzz/`);
    expect(await res.text()).toBe('ok');
  }, 120_000);

  it('answers 100 requests pipelined in one write, in order', async () => {
    const requests = Array.from({ length: 100 }, (_, i) =>
      i % 4 === 0 ? get('/health') : i % 4 === 1 ? get('/b/fuzz/') : i % 4 === 2 ? get('/trpc/chain.info') : get(`/nothing-${i}`),
    );
    const { statuses } = await exchange(context.node.url, requests.join(''), { responses: 100, waitMs: 30_000 });
    expect(statuses).toHaveLength(100);
    expect(statuses.filter((s, i) => i % 4 === 3 && s === 404)).toHaveLength(25);
    expect(statuses.filter((s, i) => i % 4 !== 3 && s === 200)).toHaveLength(75);
    await healthy();
  });

  it('answers 10,000-deep JSON bodies to tRPC with an error, not a crash', async () => {
    const bodies = [DEEP, deepObjects(10_000), `{"0":${DEEP}}`, `{"json":${DEEP}}`, `{"0":{"json":${DEEP}}}`];
    const paths = [
      '/trpc/gateway.challenge',
      '/trpc/gateway.login',
      '/trpc/tx.send',
      '/trpc/blocklet.upload',
      '/trpc/blocklet.invoke',
      '/trpc/gateway.login,gateway.challenge?batch=1',
    ];
    for (const path of paths) {
      for (const body of bodies) {
        const { statuses } = await exchange(context.node.url, post(path, body, { connection: 'close' }));
        // gateway.challenge takes no input (200); the others refuse the input (400; a batch answers 207).
        const expected = path === '/trpc/gateway.challenge' ? 200 : path.includes('batch=1') ? 207 : 400;
        expect(statuses, `${path} ${body.slice(0, 20)}`).toEqual([expected]);
      }
    }
    // Well-formed inputs whose free-form part (a blocklet's input, an ocap call's params) is deep.
    const wellFormed = [
      post('/trpc/blocklet.invoke', `{"name":"fuzz","handler":"call","input":${DEEP}}`, { connection: 'close' }),
      post('/trpc/blocklet.invoke', `{"name":"fuzz","handler":"call","input":${deepArrays(500)}}`, { connection: 'close' }),
      get(`/trpc/ocap.query?input=${encodeURIComponent(`{"chain":"arc","method":"getBalance","params":${deepArrays(1000)}}`)}`),
    ];
    const answers = [];
    for (const bytes of wellFormed) answers.push((await exchange(context.node.url, bytes)).statuses);
    expect(answers).toEqual([[400], [200], [400]]);
    // As the input of a query, in the URL.
    const { statuses } = await exchange(context.node.url, get(`/trpc/chain.info?input=${encodeURIComponent(deepArrays(2000))}`));
    expect(statuses[0]).toBeGreaterThanOrEqual(200);
    await healthy();
  });

  it('answers 10,000-deep JSON bodies to a blocklet route with an error, not a crash', async () => {
    for (const body of [DEEP, deepObjects(10_000)]) {
      const parsed = await exchange(context.node.url, post('/b/fuzz/parse', body, { connection: 'close' }));
      expect(parsed.statuses[0]).toBeGreaterThanOrEqual(400);
      const length = await exchange(context.node.url, post('/b/fuzz/length', body, { connection: 'close' }));
      expect(length.statuses[0]).toBe(200);
    }
    await healthy();
    // The blocklet still answers.
    const res = await fetch(`${context.node.url}/b/fuzz/parse`, { method: 'POST', body: '{"a":[1,2]}' });
    expect(await res.json()).toEqual({ a: [1, 2] });
  });

  it('answers a blocklet whose output nests deep (body, headers, tRPC invoke) with a response', async () => {
    // 3,000 levels: within what the sandbox hands back; the node serializes it or refuses it, per request.
    const body = await exchange(context.node.url, get('/b/fuzz/deep'));
    expect(body.statuses).toEqual([200]);
    const headers = await exchange(context.node.url, get('/b/fuzz/deep-headers'));
    expect(headers.statuses).toEqual([200]);
    const invoke = await exchange(context.node.url, post('/trpc/blocklet.invoke', '{"name":"fuzz","handler":"call","input":"deep"}'));
    expect(invoke.statuses).toHaveLength(1);
    await healthy();
  });

  it('answers 500 for a route whose handler throws, and the node lives on', async () => {
    const { registry } = context.node.services.runtime;
    const health = registry.health;
    registry.health = () => {
      throw new Error('a bug in a route handler');
    };
    try {
      const { statuses, text } = await exchange(context.node.url, get('/health'));
      expect(statuses).toEqual([500]);
      expect(text).toContain('"code":"INTERNAL"');
    } finally {
      registry.health = health;
    }
    await healthy();
  });

  it('survives truncated and malformed chunked bodies', async () => {
    const chunked = (path: string, tail: string) =>
      `POST ${path} HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n${tail}`;
    const cases = [
      chunked('/b/fuzz/parse', '5\r\n{"a":\r\n'),
      chunked('/b/fuzz/length', '10\r\nabc'),
      chunked('/trpc/gateway.challenge', '5\r\n{"a":\r\n'),
      chunked('/trpc/tx.submit', 'zz\r\nabc\r\n'),
      chunked('/b/fuzz/parse', 'ffffffffffffffffff\r\n'),
      `${post('/b/fuzz/parse', '{"a":1}').replace('content-length: 7', 'content-length: 700')}`,
      `${post('/trpc/gateway.challenge', '{}').replace('content-length: 2', 'content-length: 200')}`,
    ];
    // Each connection is half-closed mid-body: the node must neither crash nor hold the request forever.
    await Promise.all(cases.map((bytes) => exchange(context.node.url, bytes, { end: true, waitMs: 5000 })));
    await healthy();
    const res = await fetch(`${context.node.url}/b/fuzz/`);
    expect(res.status).toBe(200);
  });

  it('refuses NUL bytes in paths and headers, and oversize headers', async () => {
    const nul = [
      Buffer.from('GET /b/fuzz/\0 HTTP/1.1\r\nhost: localhost\r\n\r\n', 'latin1'),
      Buffer.from('GET /trpc/chain.info\0 HTTP/1.1\r\nhost: localhost\r\n\r\n', 'latin1'),
      Buffer.from('GET /b/fuzz/ HTTP/1.1\r\nhost: localhost\r\nx-blocklet-target: live\0\r\n\r\n', 'latin1'),
      Buffer.from('GET /b/fuzz/ HTTP/1.1\r\nhost: local\0host\r\n\r\n', 'latin1'),
      Buffer.from('GET /health HTTP/1.1\r\nhost: localhost\r\nx\0y: 1\r\n\r\n', 'latin1'),
    ];
    for (const bytes of nul) {
      const { statuses, closed } = await exchange(context.node.url, bytes);
      expect(statuses[0] === 400 || (statuses.length === 0 && closed)).toBe(true);
    }
    const huge = await exchange(context.node.url, get('/b/fuzz/', { 'x-big': 'a'.repeat(100_000) }));
    expect(huge.statuses[0] === 431 || (huge.statuses.length === 0 && huge.closed)).toBe(true);
    const many = await exchange(
      context.node.url,
      `GET /trpc/chain.info HTTP/1.1\r\nhost: localhost\r\n${Array.from({ length: 3000 }, (_, i) => `x-h${i}: v`).join('\r\n')}\r\n\r\n`,
    );
    expect(many.statuses[0] === 431 || (many.statuses.length === 0 && many.closed)).toBe(true);
    await healthy();
  });

  it('answers odd URLs, hosts and headers on every route with an answer, not a crash', async () => {
    const odd = [
      get('/b/fuzz/', { host: '[' }),
      get('/trpc/chain.info', { host: '[' }),
      get('/trpc/chain.info', { host: 'a b' }),
      get('/b/fuzz/?version=%E0%A4%A'),
      get('/trpc/chain.info?input=%E0%A4%A'),
      get('/trpc/chain.info?input={"a":'),
      get('/b/fuzz/%'),
      get('/b/fuzz/', { authorization: `Bearer ${'x'.repeat(5000)}` }),
      get('/b/fuzz/', { authorization: 'Bearer st_\ud800'.replace('\ud800', 'é') }),
      get('/b/fuzz/', { 'x-blocklet-target': '../../../../etc/passwd' }),
      get('//b/fuzz/'),
      get('http://[::1/b/fuzz/'),
      get('*'),
      `OPTIONS * HTTP/1.1\r\nhost: localhost\r\n\r\n`,
      `BREW /b/fuzz/ HTTP/1.1\r\nhost: localhost\r\n\r\n`,
      `GET /b/fuzz/ HTTP/1.0\r\n\r\n`,
      post('/b/fuzz/parse', '{"a":1}', { 'content-type': 'text/plain', 'content-encoding': 'gzip' }),
      post('/trpc/gateway.challenge', '\u00ff\u00fe', { 'content-type': 'application/json; charset=utf-16' }),
      // Upgrades: to no protocol's path, to DDP with a bad key or version, to Socket.io with garbage.
      get('/b/fuzz/', {
        connection: 'upgrade',
        upgrade: 'websocket',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-version': '13',
      }),
      get('/ddp', { connection: 'upgrade', upgrade: 'websocket', 'sec-websocket-key': 'short', 'sec-websocket-version': '13' }),
      get('/websocket', {
        connection: 'upgrade',
        upgrade: 'websocket',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-version': '99',
      }),
      get('/socket.io/?EIO=4&transport=websocket', { connection: 'upgrade', upgrade: 'h2c\u00ff' }),
      get('/nothing', { connection: 'upgrade', upgrade: 'websocket' }),
    ];
    for (const bytes of odd) {
      const { statuses, closed } = await exchange(context.node.url, Buffer.from(bytes, 'latin1'));
      expect(statuses.length > 0 || closed, bytes.slice(0, 60)).toBe(true);
    }
    await healthy();
  });
});
