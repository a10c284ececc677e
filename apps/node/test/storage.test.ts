import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { didFromPublicKey } from '@arc/core';
import { afterAll, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import { openDatabase } from '../src/db/client.ts';
import { prunePass, RETENTION_DEFAULTS, type RetentionOptions } from '../src/db/retention.ts';
import { createTestDatabase, testDrivers } from '../src/testing.ts';
import { ChildNode } from './helpers/child-node.ts';
import { nodeClient } from './helpers/client.ts';
import { randomSigner, transfer, Wallet } from './helpers/wallet.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LOCK_MODULE = fileURLToPath(new URL('../src/db/lock.ts', import.meta.url));
/** Starting a child node on a busy two-core machine (and under strace) takes a while; no speed is asserted. */
const START_TIMEOUT_MS = 180_000;
const TEST_TIMEOUT_MS = 300_000;
/** How long a SIGTERM'd node may take to exit before the test calls it hung (it exits in well under a second). */
const STOP_BOUND_MS = 20_000;

const temporary: string[] = [];
afterAll(async () => {
  for (const dir of temporary) await rm(dir, { recursive: true, force: true });
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

function devWallet(url: string, chainId: string, name: 'alice' | 'bob' = 'alice'): Wallet {
  const key = devKey(name);
  return new Wallet(nodeClient(url), chainId, { ...key, did: didFromPublicKey(key.publicKey) });
}

/** Resolves with the exit, or 'hung' when the process outlives the bound. */
function exitWithin(node: ChildNode, boundMs: number) {
  return Promise.race([node.exited, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), boundMs).unref())]);
}

interface HealthAnswer {
  status: number;
  body: { ok: boolean; reason?: string; storage?: { error: string } };
}

/** GET /health on a connection of its own (a pooled keep-alive connection may be closed by the server as it is reused). */
function getHealth(url: string): Promise<HealthAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { agent: false, timeout: 10_000 }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as HealthAnswer['body'] }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error('/health did not answer within 10 s')));
    request.on('error', reject);
  });
}

async function until<T>(what: string, probe: () => Promise<T | null>, boundMs = 30_000): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The pid of the node strace runs (its first child). */
function tracedPid(node: ChildNode): number {
  const pid = node.child.pid as number;
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ');
  return Number(children[0]);
}

const straceWorks = spawnSync('strace', ['-f', '-o', '/dev/null', 'true'], { stdio: 'ignore' }).status === 0;

describe('durability on PGlite', () => {
  it.skipIf(!straceWorks)(
    'syncs the WAL to disk before a committed block is acknowledged (traced with strace)',
    async () => {
      const dataDir = await tempDir('arc-durable-');
      const trace = join(dataDir, 'fsync.trace');
      // -y names each descriptor's file; strace writes each traced call as it returns.
      const wrapper = ['strace', '-f', '-qq', '-y', '-e', 'trace=fsync,fdatasync', '-o', trace, '--'];
      const node = await (await ChildNode.spawn({ DATA_DIR: dataDir, BLOCK_INTERVAL_MS: '200' }, { wrapper })).ready(START_TIMEOUT_MS);
      const walSyncs = () =>
        readFileSync(trace, 'utf8')
          .split('\n')
          .filter((line) => /\bf(data)?sync\(\d+<[^>]*\/pglite\/pg_wal\/[0-9A-F]{24}>\) = 0/.test(line)).length;
      try {
        const client = nodeClient(node.url);
        const { chainId, height: startHeight } = await client.chain.info.query();
        const alice = devWallet(node.url, chainId);
        const committedBlocks = new Set<number>();
        for (let i = 0; i < 5; i++) {
          const before = walSyncs();
          const { height } = await alice.commit(transfer(randomSigner().did, 1n));
          committedBlocks.add(height);
          // The node said committed: the WAL holding the block was synced before that answer left it.
          expect(walSyncs(), `no WAL fsync between submitting tx ${i} and its commit being acknowledged`).toBeGreaterThan(before);
        }
        const { height: endHeight } = await client.chain.info.query();
        // The node is strace's child: the signal goes to it (strace exits with its status).
        process.kill(tracedPid(node), 'SIGTERM');
        expect(await exitWithin(node, STOP_BOUND_MS)).toMatchObject({ code: 0 });
        // Every block this process committed (empty ones too) is one COMMIT, each followed by a WAL sync.
        expect(walSyncs()).toBeGreaterThanOrEqual(endHeight - startHeight);
        expect(committedBlocks.size).toBeGreaterThan(0);
      } finally {
        if (node.child.exitCode === null) process.kill(tracedPid(node), 'SIGKILL');
        await node.kill();
      }
    },
    TEST_TIMEOUT_MS,
  );
  it.skipIf(straceWorks)('syncs the WAL to disk (skipped: strace cannot run here; install it with apt-get install -y strace)', () => {});
});

/** A process that tries to take the lock of `dir` when it reads a line, prints `won` or `lost`, and holds until stdin closes. */
function lockContender(dir: string): { child: ChildProcess; answer: Promise<string> } {
  const script = `
    import { lockDataDir } from ${JSON.stringify(LOCK_MODULE)};
    process.stdout.write('ready\\n');
    process.stdin.once('data', async () => {
      try { await lockDataDir(${JSON.stringify(dir)}); process.stdout.write('won\\n'); }
      catch (error) { process.stdout.write(error.name === 'DataDirLocked' ? 'lost\\n' : 'error ' + error.message + '\\n'); }
    });
    process.stdin.resume();`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let text = '';
  const answer = new Promise<string>((resolve) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const last = text.trim().split('\n').at(-1) ?? '';
      if (last !== 'ready') resolve(last);
    });
  });
  const ready = new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
  return { child, answer: ready.then(() => answer) as Promise<string> };
}

describe('the PGlite data-folder lock', () => {
  it(
    'lets exactly one of many processes starting together take a folder',
    async () => {
      const CONTENDERS = 12;
      const ROUNDS = 2;
      const parent = await tempDir('arc-lock-race-');
      for (let round = 0; round < ROUNDS; round++) {
        const dir = join(parent, `pglite-${round}`);
        const contenders = Array.from({ length: CONTENDERS }, () => {
          const contender = lockContender(dir);
          const started = new Promise<void>((resolve) => contender.child.stdout?.once('data', () => resolve()));
          return { ...contender, started };
        });
        await Promise.all(contenders.map((c) => c.started));
        for (const c of contenders) c.child.stdin?.write('go\n');
        const answers = await Promise.all(contenders.map((c) => c.answer));
        for (const c of contenders) c.child.stdin?.end();
        await Promise.all(contenders.map((c) => new Promise((resolve) => c.child.once('exit', resolve))));
        expect(answers.filter((a) => a !== 'won' && a !== 'lost')).toEqual([]);
        expect(
          answers.filter((a) => a === 'won'),
          `round ${round}`,
        ).toHaveLength(1);
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'is free again once its holder was killed with SIGKILL, whatever an old lock file says',
    async () => {
      const dir = join(await tempDir('arc-lock-kill-'), 'pglite');
      const holder = lockContender(dir);
      await new Promise<void>((resolve) => holder.child.stdout?.once('data', () => resolve()));
      holder.child.stdin?.write('go\n');
      expect(await holder.answer).toBe('won');
      const second = lockContender(dir);
      await new Promise<void>((resolve) => second.child.stdout?.once('data', () => resolve()));
      second.child.stdin?.write('go\n');
      expect(await second.answer).toBe('lost');
      second.child.stdin?.end();
      holder.child.kill('SIGKILL');
      await new Promise((resolve) => holder.child.once('exit', resolve));
      // The lock file of older nodes, naming a pid that is alive (pid 1 and this test process).
      for (const pid of [1, process.pid]) {
        await writeFile(`${dir}.lock`, String(pid));
        const next = lockContender(dir);
        await new Promise<void>((resolve) => next.child.stdout?.once('data', () => resolve()));
        next.child.stdin?.write('go\n');
        expect(await next.answer).toBe('won');
        next.child.stdin?.end();
        await new Promise((resolve) => next.child.once('exit', resolve));
      }
    },
    TEST_TIMEOUT_MS,
  );
});

/** Whether `chattr +i` works on the temp folder (ext4 and most local filesystems; root ignores mode bits, not this). */
function immutableWorks(): boolean {
  const probe = join(tmpdir(), `arc-chattr-probe-${process.pid}`);
  execFileSync('mkdir', ['-p', probe]);
  const ok = spawnSync('chattr', ['+i', probe], { stdio: 'ignore' }).status === 0;
  if (ok) execFileSync('chattr', ['-i', probe]);
  execFileSync('rmdir', [probe]);
  return ok;
}

describe('a data folder that stops taking writes', () => {
  const canFreeze = process.platform === 'linux' && immutableWorks();
  it.skipIf(!canFreeze)(
    'answers /health 503 with the storage error, logs it, recovers when writes work again, and stops on SIGTERM',
    async () => {
      const dataDir = await tempDir('arc-readonly-');
      const node = await (await ChildNode.spawn({ DATA_DIR: dataDir, BLOCK_INTERVAL_MS: '200' })).ready(START_TIMEOUT_MS);
      const frozen = { value: false };
      const setFrozen = (on: boolean) => {
        // The immutable flag refuses writes even to root and even through descriptors already open.
        execFileSync('chattr', ['-R', on ? '+i' : '-i', dataDir]);
        frozen.value = on;
      };
      try {
        const client = nodeClient(node.url);
        const { chainId } = await client.chain.info.query();
        const alice = devWallet(node.url, chainId);
        await alice.sign(transfer(randomSigner().did, 1n)); // learns the nonce while the folder still works
        setFrozen(true);
        const health = () => getHealth(`${node.url}/health`);
        const failing = await until('/health answering 503', async () => {
          const h = await health();
          return h.status === 503 ? h : null;
        });
        expect(failing.body).toMatchObject({ ok: false, reason: 'storage' });
        expect(failing.body.storage?.error).toMatch(/EPERM/);
        expect(node.output).toMatch(/database: storage error EPERM on \w+ of \S+/);
        // A submitted transaction is refused (or held), never hangs the node: health still answers.
        await alice.send(transfer(randomSigner().did, 1n)).catch((error: Error) => error);
        expect((await health()).status).toBe(503);

        setFrozen(false);
        await until(
          '/health answering 200 after the folder takes writes again',
          async () => ((await health()).status === 200 ? true : null),
          60_000,
        );
        expect(node.output).toMatch(/database: reopened after the storage error/);
        // (another account: alice's refused transaction may still wait in the mempool with her next nonce)
        await devWallet(node.url, chainId, 'bob').commit(transfer(randomSigner().did, 1n));

        setFrozen(true);
        await until('/health answering 503 again', async () => ((await health()).status === 503 ? true : null));
        node.child.kill('SIGTERM');
        const exit = await exitWithin(node, STOP_BOUND_MS);
        expect(exit, `a SIGTERM'd node stops while its folder refuses writes:\n${node.output}`).toMatchObject({ code: 0 });
      } finally {
        await node.kill();
        if (frozen.value || existsSync(dataDir)) setFrozen(false);
      }
    },
    TEST_TIMEOUT_MS,
  );
  it.skipIf(canFreeze)('answers /health 503 on a storage error (skipped: chattr +i does not work on the temp folder here)', () => {});
});

describe.each(testDrivers())('retention on %s', (driver) => {
  it(
    'prunes logs, invocations and rejected transactions older than their retention in bounded batches, and keeps usage',
    async () => {
      const target = await createTestDatabase(driver);
      const db = await openDatabase(target.target);
      try {
        const DAY_MS = 24 * 60 * 60 * 1000;
        const nowMs = Date.UTC(2030, 0, 31);
        const old = nowMs - 40 * DAY_MS;
        const recent = nowMs - 1 * DAY_MS;
        const OLD_ROWS = 25;
        const RECENT_ROWS = 4;
        const insert = async (atMs: number, i: number, tag: string) => {
          await db.query(
            `INSERT INTO blocklet_logs (name, version, invocation_id, level, message, at_ms) VALUES ('b', '1.0.0', $1, 'info', 'm', $2)`,
            [`${tag}-${i}`, atMs],
          );
          await db.query(
            `INSERT INTO blocklet_invocations (id, name, version, trigger, ok, cpu_ms, wall_ms, memory_bytes, at_ms)
             VALUES ($1, 'b', '1.0.0', 'http', true, 1, 1, 1, $2)`,
            [`${tag}-${i}`, atMs],
          );
          await db.query(`INSERT INTO rejected_txs (hash, code, message, at_ms) VALUES ($1, 'EXPIRED', 'm', $2)`, [
            Buffer.from(`${tag}-${i}`.padEnd(32, '.')),
            atMs,
          ]);
          await db.query(
            `INSERT INTO blocklet_usage (name, version, period_start_ms, invocations, errors, cpu_ms, wall_ms, memory_mb_ms)
             VALUES ('b', $1, $2, 1, 0, 1, 1, 1)`,
            [`${tag}-${i}`, atMs],
          );
        };
        for (let i = 0; i < OLD_ROWS; i++) await insert(old, i, 'old');
        for (let i = 0; i < RECENT_ROWS; i++) await insert(recent, i, 'recent');
        const count = async (table: string) => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0]?.n);
        const options: RetentionOptions = {
          ...RETENTION_DEFAULTS,
          logsDays: 30,
          invocationsDays: 30,
          rejectedTxsDays: 30,
          batchRowsMax: 10,
          batchesPerPassMax: 2,
        };

        // One pass removes at most batchesPerPassMax × batchRowsMax old rows per table, oldest first.
        const first = await prunePass(db, options, nowMs);
        expect(first.deleted).toEqual({ blocklet_logs: 20, blocklet_invocations: 20, rejected_txs: 20 });
        expect(first.batches).toEqual({ blocklet_logs: 2, blocklet_invocations: 2, rejected_txs: 2 });
        const second = await prunePass(db, options, nowMs);
        expect(second.deleted).toEqual({ blocklet_logs: 5, blocklet_invocations: 5, rejected_txs: 5 });
        for (const table of ['blocklet_logs', 'blocklet_invocations', 'rejected_txs']) expect(await count(table), table).toBe(RECENT_ROWS);
        // Usage is billing data: never pruned.
        expect(await count('blocklet_usage')).toBe(OLD_ROWS + RECENT_ROWS);
        // 0 days keeps a table forever.
        const keepLogs = await prunePass(db, { ...options, logsDays: 0, invocationsDays: 0, rejectedTxsDays: 0 }, nowMs + 365 * DAY_MS);
        expect(keepLogs.batches).toEqual({ blocklet_logs: 0, blocklet_invocations: 0, rejected_txs: 0 });
        expect(await count('blocklet_logs')).toBe(RECENT_ROWS);
      } finally {
        await db.close();
        await target.drop();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
