import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { z } from 'zod';

/** How long a chaincode process may take from spawn to REGISTER (node start, module loading, gRPC connect). */
export const CHAINCODE_START_TIMEOUT_MS = 30_000;
/** How long a stopping chaincode gets after SIGTERM before SIGKILL. */
export const CHAINCODE_STOP_GRACE_MS = 3_000;
/** Output lines of a chaincode kept to explain a failed start. */
const OUTPUT_TAIL_LINES = 40;

export interface ChaincodeProcess {
  chaincodeId: string;
  /** The process's last output lines (for error messages). */
  outputTail(): string;
  /** Resolves when the process has exited, with its exit code or signal. */
  exited: Promise<string>;
  stop(): Promise<void>;
}

/** What fabric-shim needs of a chaincode folder's package.json: a `main` exporting the contracts. */
const ChaincodePackage = z.object({ main: z.string().min(1, 'package.json "main" must name the module exporting the contracts') });

/** Checks a chaincode folder before spawning, so a wrong path is a sentence rather than a shim stack trace. */
export async function checkChaincodeFolder(path: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(join(path, 'package.json'), 'utf8');
  } catch (error) {
    throw new Error(`chaincode folder ${path} has no readable package.json: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`chaincode folder ${path}: package.json is not JSON: ${(error as Error).message}`);
  }
  const parsed = ChaincodePackage.safeParse(json);
  if (!parsed.success) throw new Error(`chaincode folder ${path}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
}

/**
 * Starts a Node.js chaincode (a folder whose package.json `main` exports fabric-contract-api contracts) the way a
 * Fabric peer does for a Node chaincode: fabric-shim's `fabric-chaincode-node start`, dialing back to the peer
 * address with TLS off. It registers over `ChaincodeSupport.Register` as `chaincodeId`.
 */
export function spawnChaincode(options: {
  chaincodeId: string;
  path: string;
  peerAddress: string;
  log: (line: string) => void;
  verbose: boolean;
}): ChaincodeProcess {
  const shimCli = createRequire(import.meta.url).resolve('fabric-shim/cli.js');
  const modulePath = resolve(options.path);
  const child: ChildProcess = spawn(
    process.execPath,
    [shimCli, 'start', '--peer.address', options.peerAddress, '--chaincode-id-name', options.chaincodeId, '--module-path', modulePath],
    {
      cwd: modulePath,
      env: {
        ...process.env,
        CORE_PEER_TLS_ENABLED: 'false',
        CORE_CHAINCODE_ID_NAME: options.chaincodeId,
        // The shim logs every transaction at INFO; keep a test's output readable unless asked.
        CORE_CHAINCODE_LOGGING_LEVEL: options.verbose ? 'INFO' : 'WARNING',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const tail: string[] = [];
  const onOutput = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      tail.push(line);
      if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
      options.log(`[${options.chaincodeId}] ${line}`);
    }
  };
  child.stdout?.on('data', onOutput);
  child.stderr?.on('data', onOutput);
  const exited = new Promise<string>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit(signal ? `signal ${signal}` : `exit code ${code}`));
    child.once('error', (error) => resolveExit(`spawn error: ${error.message}`));
  });

  return {
    chaincodeId: options.chaincodeId,
    outputTail: () => tail.join('\n'),
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), CHAINCODE_STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
