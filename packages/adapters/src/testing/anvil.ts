import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

/** How long anvil may take to answer its first eth_chainId (the machine may be busy with other test runs). */
export const ANVIL_STARTUP_TIMEOUT_MS = 30_000;
/** How long `stop()` waits for anvil to exit after SIGTERM before it sends SIGKILL. */
export const ANVIL_STOP_TIMEOUT_MS = 5_000;
const ANVIL_PROBE_INTERVAL_MS = 50;
const ANVIL_PROBE_REQUEST_TIMEOUT_MS = 1_000;
/** Keep this much of anvil's stderr for the error message when it fails to start. */
const ANVIL_STDERR_CHARS_MAX = 4_000;
export const ANVIL_CHAIN_ID_DEFAULT = 31337;

/** The private keys of anvil's default mnemonic ("test test … junk"), accounts 0 to 9, each funded with 10 000 ETH. */
export const ANVIL_DEFAULT_KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
  '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e',
  '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
  '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97',
  '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6',
] as const;

export interface AnvilOptions {
  chainId?: number;
  /** Seconds between blocks; absent: automine (a block per transaction). */
  blockTimeSeconds?: number;
  startupTimeoutMs?: number;
  /** Extra command-line arguments. */
  args?: string[];
}

/** A running anvil node. */
export interface AnvilInstance {
  rpcUrl: string;
  chainId: number;
  /** Private keys (0x hex) of the funded default accounts. */
  accounts: readonly string[];
  /** Stops the node (SIGTERM, then SIGKILL after a bound). Safe to call twice. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Starts anvil on a free loopback port and resolves once it answers JSON-RPC; killed on stop() and on process exit. */
export async function startAnvil(options: AnvilOptions = {}): Promise<AnvilInstance> {
  const chainId = options.chainId ?? ANVIL_CHAIN_ID_DEFAULT;
  const startupTimeoutMs = options.startupTimeoutMs ?? ANVIL_STARTUP_TIMEOUT_MS;
  const port = await freePort();
  const args = ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(chainId), '--silent'];
  if (options.blockTimeSeconds !== undefined) args.push('--block-time', String(options.blockTimeSeconds));
  args.push(...(options.args ?? []));

  const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  installExitHook();
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (stderr.length < ANVIL_STDERR_CHARS_MAX) stderr += chunk.slice(0, ANVIL_STDERR_CHARS_MAX - stderr.length);
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exited.then(() => running.delete(child));

  const rpcUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), ANVIL_STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + startupTimeoutMs;
  for (;;) {
    if (spawnError) throw new Error(`anvil could not be started: ${spawnError.message}`, { cause: spawnError });
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`anvil exited during startup (code ${child.exitCode ?? child.signalCode}): ${stderr.trim() || 'no output'}`);
    }
    if (await answersChainId(rpcUrl)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`anvil did not answer eth_chainId on ${rpcUrl} within ${startupTimeoutMs} ms: ${stderr.trim() || 'no output'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, ANVIL_PROBE_INTERVAL_MS));
  }
  return { rpcUrl, chainId, accounts: ANVIL_DEFAULT_KEYS, stop };
}

/** The platform binary shipped by @foundry-rs/anvil (spawned directly, so killing it kills the node). */
function anvilBinary(): string {
  const require = createRequire(import.meta.url);
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const platformPackage = `@foundry-rs/anvil-${process.platform}-${arch}`;
  const name = process.platform === 'win32' ? 'anvil.exe' : 'anvil';
  try {
    const binary = join(dirname(require.resolve(`${platformPackage}/package.json`)), 'bin', name);
    if (existsSync(binary)) return binary;
  } catch (error) {
    throw new Error(
      `anvil is not installed for ${process.platform}/${process.arch}: ${platformPackage} is missing (npm install @foundry-rs/anvil).`,
      {
        cause: error,
      },
    );
  }
  throw new Error(`anvil is not installed: ${platformPackage} has no bin/${name}.`);
}

/** A TCP port that was free a moment ago (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port assigned'))));
    });
  });
}

async function answersChainId(rpcUrl: string): Promise<boolean> {
  try {
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(ANVIL_PROBE_REQUEST_TIMEOUT_MS),
    });
    const body = (await response.json()) as { result?: unknown };
    return typeof body.result === 'string';
  } catch {
    // Not listening yet (connection refused) or not answering yet: the caller retries until its deadline.
    return false;
  }
}

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}
