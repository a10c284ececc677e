import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// What `npm start` gives the node (scripts/start-options.mjs, plain JS run by node).
import { nodeEnv, webOrigins } from '../../../scripts/start-options.mjs';
import { CORS_ORIGINS_DEFAULT } from '../src/config/cors.ts';
import { parseEnv } from '../src/config/env.ts';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { ChildNode, type ChildNodeEnv, freePort, seedDataDir } from './helpers/child-node.ts';
import { until } from './helpers/realtime.ts';

/**
 * The browser reaches the node's gateway straight (the web server's rewrite cannot carry websockets): Socket.io
 * and the HTTP API answer the web app's origins from CORS_ORIGINS and refuse other pages, in every way the node
 * runs: one process as `npm start` runs it, `--workers 2`, and TLS. Clients send an Origin header as a browser does.
 */

const WEB = 'http://127.0.0.1:3000';
const OTHER_PAGE = 'https://evil.example';
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONNECT_TIMEOUT_MS = 10_000;

type Transport = 'websocket' | 'polling';

/** Connects as a page of `origin` would; resolves 'connected' or the refusal's message. */
function browserConnect(url: string, origin: string | null, transport: Transport, ca?: string): Promise<string> {
  const socket = io(url, {
    transports: [transport],
    reconnection: false,
    forceNew: true,
    timeout: CONNECT_TIMEOUT_MS,
    ...(origin === null ? {} : { extraHeaders: { origin } }),
    ...(ca ? { ca } : {}),
  });
  let deadline: NodeJS.Timeout | undefined;
  return new Promise<string>((resolve) => {
    // socket.io-client's own timeout covers the transport's opening only: a Socket.io CONNECT left unanswered on an
    // open transport would wait for good. It fails here with what it was, not as the test's own timeout.
    deadline = setTimeout(
      () => resolve(`no answer within ${2 * CONNECT_TIMEOUT_MS} ms (transport ${socket.io.engine?.readyState ?? 'none'})`),
      2 * CONNECT_TIMEOUT_MS,
    );
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (error: Error & { description?: unknown; context?: unknown }) => {
      const context = error.context as { responseText?: string } | undefined;
      resolve(`refused: ${error.message} ${context?.responseText ?? ''}`);
    });
  }).finally(() => {
    clearTimeout(deadline);
    socket.close();
  });
}

/** A CORS preflight of a tRPC call from a page of `origin`: its status and the origin it may read as. */
function preflight(url: string, origin: string, ca?: string): Promise<{ status: number; allowOrigin: string | undefined; body: string }> {
  const target = new URL('/trpc/ocap.chains', url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: 'OPTIONS',
        agent: false,
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
        ...(ca ? { ca } : {}),
      },
      (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, allowOrigin: res.headers['access-control-allow-origin'] as string | undefined, body }),
        );
      },
    );
    req.on('error', reject);
    // A preflight left unanswered fails here with what it was, not as the test's own timeout.
    req.setTimeout(CONNECT_TIMEOUT_MS, () =>
      req.destroy(new Error(`no answer to the preflight from ${origin} within ${CONNECT_TIMEOUT_MS} ms`)),
    );
    req.end();
  });
}

/** The checks every way of running shares: the web app's page in, another page out, servers (no Origin) in. */
async function expectBrowserRules(url: string, ca?: string): Promise<void> {
  for (const transport of ['websocket', 'polling'] as const) {
    expect(await browserConnect(url, WEB, transport, ca), `${transport} from the web app`).toBe('connected');
    const refused = await browserConnect(url, OTHER_PAGE, transport, ca);
    expect(refused, `${transport} from another page`).toMatch(/^refused/);
    expect(await browserConnect(url, null, transport, ca), `${transport} without Origin`).toBe('connected');
  }
  const allowed = await preflight(url, WEB, ca);
  expect(allowed).toMatchObject({ status: 204, allowOrigin: WEB });
  const refused = await preflight(url, OTHER_PAGE, ca);
  expect(refused.status).toBe(403);
  expect(refused.allowOrigin).toBeUndefined();
  expect(JSON.parse(refused.body).error.message).toContain('CORS_ORIGINS');
}

describe('CORS_ORIGINS', () => {
  it('defaults to the web app as npm start runs it, and npm start passes its own web origins', () => {
    expect(parseEnv({}).CORS_ORIGINS).toEqual(CORS_ORIGINS_DEFAULT);
    expect(CORS_ORIGINS_DEFAULT).toEqual(webOrigins(3000));
    const given = nodeEnv({}, { port: 8080, host: '127.0.0.1', webPort: 3100, chainsEnv: {} });
    expect(parseEnv(given).CORS_ORIGINS).toEqual(['http://127.0.0.1:3100', 'http://localhost:3100']);
    // The operator's own list wins over npm start's.
    expect(nodeEnv({ CORS_ORIGINS: '*' }, { port: 8080, host: '127.0.0.1', webPort: 3100, chainsEnv: {} }).CORS_ORIGINS).toBe('*');
  });

  it('takes `*` or a comma list of origins, and says which entry is not an origin', () => {
    expect(parseEnv({ CORS_ORIGINS: '*' }).CORS_ORIGINS).toBe('*');
    expect(parseEnv({ CORS_ORIGINS: ' https://App.example.com , http://localhost:3000/ ' }).CORS_ORIGINS).toEqual([
      'https://app.example.com',
      'http://localhost:3000',
    ]);
    expect(() => parseEnv({ CORS_ORIGINS: 'https://app.example.com/path' })).toThrow(/CORS_ORIGINS: .*is not an origin/);
    expect(() => parseEnv({ CORS_ORIGINS: 'app.example.com' })).toThrow(/CORS_ORIGINS/);
    expect(() => parseEnv({ CORS_ORIGINS: ',' })).toThrow(/CORS_ORIGINS: give `\*` or at least one origin/);
  });
});

describe('a browser reaching the node: one process, as npm start runs it', () => {
  let node: ChildNode;
  let dataDir = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'arc-origins-'));
    // npm start's own node environment for a web app on port 3000, with no local chains.
    const { PORT: _port, HOST: _host, ...env } = nodeEnv({}, { port: 0, host: '127.0.0.1', webPort: 3000, chainsEnv: {} });
    node = await ChildNode.spawn({ ...env, DATA_DIR: dataDir } as ChildNodeEnv);
    await node.ready();
  }, 150_000);

  afterAll(async () => {
    await node?.kill('SIGTERM');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('lets the web app connect to Socket.io and call the API, refuses other pages, lets servers in', async () => {
    await expectBrowserRules(node.url);
  });

  it('lets a page the node serves itself connect (same origin)', async () => {
    expect(await browserConnect(node.url, node.url, 'websocket')).toBe('connected');
  });
});

describe('a browser reaching the node over TLS', () => {
  let node: TestNode;
  let cert = '';

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arc-origins-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    node = await startTestNode({
      tls: { cert, key: readFileSync(join(dir, 'key.pem'), 'utf8') },
      corsOrigins: parseEnv({}).CORS_ORIGINS,
    });
  }, 60_000);

  afterAll(() => node?.stop());

  it('lets the web app connect over WSS and HTTPS, refuses other pages', async () => {
    expect(node.url.startsWith('https://')).toBe(true);
    await expectBrowserRules(node.url, cert);
  });
});

describe('a browser reaching the node: --workers 2', () => {
  let child: ChildProcess | null = null;
  let dataDir = '';
  let url = '';

  beforeAll(async () => {
    const port = await freePort();
    dataDir = await mkdtemp(join(tmpdir(), 'arc-origins-cluster-'));
    // The full node opens the run's migrated template instead of creating its database (the first start has tests of its own).
    await seedDataDir(dataDir);
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of ['DATABASE_URL', 'GENESIS_FILE', 'NODE_KEY_FILE', 'CORS_ORIGINS']) delete env[name];
    const started = spawn(process.execPath, ['--import', 'tsx', MAIN, '--workers', '2'], {
      cwd: REPO_ROOT,
      env: {
        ...env,
        REDIS_URL,
        REDIS_KEY_PREFIX: `arc-test-origins-${process.pid}-${randomBytes(4).toString('hex')}`,
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: dataDir,
        SEED_DEMO: 'off',
        MQTT_PORT: 'off',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    let output = '';
    started.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    started.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await until(() => output.includes('node listening on') || started.exitCode !== null, 140_000, 'the cluster to listen');
    expect(output).toContain(`node listening on http://127.0.0.1:${port}`);
    url = `http://127.0.0.1:${port}`;
  }, 150_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child?.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killTimer);
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 40_000);

  it('applies the same origins on the full node and the gateway worker (connections alternate between them)', async () => {
    // Twice over: new connections go round-robin, so each rule is checked on both workers.
    await expectBrowserRules(url);
    await expectBrowserRules(url);
    // Sixteen connections and preflights, each bounded by CONNECT_TIMEOUT_MS: on a loaded 2-core machine the
    // default minute is too short for the worst case, which then fails as a timeout instead of saying which one.
  }, 180_000);
});
