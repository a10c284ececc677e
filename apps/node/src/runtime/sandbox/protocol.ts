/** IPC messages between the pool (parent) and worker.mjs (child). JSON serialisation; payloads are JSON strings. */
import type { InvokeUsage, SandboxErrorCode, SandboxLimits } from './types.ts';

export type ToWorker =
  | {
      t: 'invoke';
      id: number;
      /** The isolation unit (SandboxCode.deployment): the worker keys isolates by it, never by hash. */
      deployment: string;
      hash: string;
      /** Sent with the first invocation of a hash on a worker, or when the worker asks. */
      source?: string;
      handler: string;
      input: string;
      env: string;
      invocationId: string;
      limits: SandboxLimits;
    }
  /** `reply` is the JSON the SDK parses: {ok:true,value} or {ok:false,code,message}. */
  | { t: 'host-result'; callId: number; reply: string }
  | { t: 'source'; hash: string; source: string }
  | { t: 'warm'; id: number; deployment: string; hash: string; source: string; limits: SandboxLimits }
  | { t: 'evict'; id: number; deployment: string };

export type FromWorker =
  | { t: 'ready'; pid: number }
  /**
   * `reply` is the SDK's JSON {ok:true,output} | {ok:false,message,code?} (code: BLOCKLET_HANDLER_NOT_FOUND
   * only); `error` a fault found by the worker.
   */
  | {
      t: 'result';
      id: number;
      reply?: string;
      error?: { code: SandboxErrorCode; message: string };
      usage: InvokeUsage;
      isolates: number;
    }
  | { t: 'host'; id: number; callId: number; method: string; args: string }
  | { t: 'log'; id: number; level: string; line: string }
  | { t: 'need-source'; hash: string }
  | { t: 'done'; id: number; isolates: number; error?: { code: SandboxErrorCode; message: string } };
