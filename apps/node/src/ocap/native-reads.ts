import type { EthereumNative, NativeNative } from '@arc/adapters';
import { type ChainAdapter, isValidDid, OcapError } from '@arc/core';
import { z } from 'zod';
import { toJson } from './json.ts';

/** Bounds of a native read's parameters. */
export const NATIVE_READ_LIMITS = { paramsMax: 8, paramsBytesMax: 16 * 1024 } as const;

/**
 * The JSON-RPC methods of an Ethereum node that only read. A blocklet with OCAP level 3 may call these; writes go
 * through `ctx.ocap.send` (held until the invocation commits), and node-administration methods (`anvil_*`,
 * `debug_*`, `eth_sendTransaction` with the node's accounts) are never reachable.
 */
export const ETHEREUM_READS = new Set([
  'eth_chainId',
  'eth_blockNumber',
  'eth_call',
  'eth_estimateGas',
  'eth_gasPrice',
  'eth_maxPriorityFeePerGas',
  'eth_feeHistory',
  'eth_getBalance',
  'eth_getCode',
  'eth_getStorageAt',
  'eth_getTransactionCount',
  'eth_getLogs',
  'eth_getTransactionByHash',
  'eth_getTransactionReceipt',
  'eth_getBlockByNumber',
  'eth_getBlockByHash',
  'net_version',
]);

const did = z.string().max(128).refine(isValidDid, 'is not a valid DID');
const hash = z
  .string()
  .regex(/^(0x)?[0-9a-fA-F]{64}$/, 'is a 32-byte hash in hex')
  .transform((h) => h.replace(/^0x/, '').toLowerCase());

/** The NodeApi reads of the node's own chain (`packages/core/src/ocap/node-api.ts`), each with its parameters. */
export const NATIVE_LEDGER_READS: Record<string, z.ZodType<unknown[]>> = {
  chainInfo: z.tuple([]),
  getBlock: z.tuple([z.number().int().min(0)]),
  getBlockByHash: z.tuple([hash]),
  getTx: z.tuple([hash]),
  getAccount: z.tuple([did]),
  nextNonce: z.tuple([did]),
  getToken: z.tuple([did]),
  getAsset: z.tuple([did]),
};

/**
 * One read-only native call (OCAP level 3) on a chain: a JSON-RPC read on ethereum chains, a NodeApi read on the
 * node's own chain. Other adapters have no native reads here (ADAPTER_UNSUPPORTED). Answers are JSON (bigints as
 * decimal strings).
 */
export async function nativeRead(adapter: ChainAdapter, method: string, params: unknown[]): Promise<unknown> {
  if (params.length > NATIVE_READ_LIMITS.paramsMax || JSON.stringify(params).length > NATIVE_READ_LIMITS.paramsBytesMax) {
    throw new OcapError(
      'INVALID_ARGUMENT',
      `a native read takes at most ${NATIVE_READ_LIMITS.paramsMax} parameters and ${NATIVE_READ_LIMITS.paramsBytesMax} bytes of them`,
    );
  }
  if (adapter.name === 'ethereum') {
    if (!ETHEREUM_READS.has(method)) {
      throw new OcapError(
        'INVALID_ARGUMENT',
        `${method} is not a read this node passes through; the reads are ${[...ETHEREUM_READS].join(', ')}`,
      );
    }
    return toJson(await (adapter.native as EthereumNative).call(method, params));
  }
  if (adapter.name === 'native') {
    const schema = Object.hasOwn(NATIVE_LEDGER_READS, method) ? NATIVE_LEDGER_READS[method] : undefined;
    if (!schema) {
      throw new OcapError(
        'INVALID_ARGUMENT',
        `${method} is not a read of this chain; the reads are ${Object.keys(NATIVE_LEDGER_READS).join(', ')}`,
      );
    }
    const parsed = schema.safeParse(params);
    if (!parsed.success) {
      throw new OcapError(
        'INVALID_ARGUMENT',
        `${method}: ${parsed.error.issues.map((i) => `parameter ${i.path.join('.') || ''} ${i.message}`).join('; ')}`,
      );
    }
    const api = (adapter.native as NativeNative).api as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    return toJson(await (api[method] as (...args: unknown[]) => Promise<unknown>).apply(api, parsed.data));
  }
  throw new OcapError('ADAPTER_UNSUPPORTED', `the ${adapter.name} adapter offers no native reads to blocklets`);
}
