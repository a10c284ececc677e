import type { EthereumNative, FabricNative, NativeNative } from '@arc/adapters';
import { type ChainAdapter, isValidDid, OcapError } from '@arc/core';
import { z } from 'zod';
import { toJson } from './json.ts';

/** Bounds of a native read's parameters (and of a Fabric evaluate's arguments). */
export const NATIVE_READ_LIMITS = { paramsMax: 8, paramsBytesMax: 16 * 1024, chaincodeArgsMax: 64 } as const;

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

const hex64 = (what: string) =>
  z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, `is ${what}: 64 hex characters`)
    .transform((h) => h.toLowerCase());

/**
 * The reads of a Hyperledger Fabric channel (the adapter's `FabricNative`), each with its parameters. `evaluate` runs a
 * chaincode function on the gateway peer as the node's configured identity without ordering it (a query: nothing is
 * written); its chaincode defaults to the channel's token. Sends go through `ctx.ocap.send` (a transaction prepared
 * and signed elsewhere).
 */
export const FABRIC_READS: Record<string, z.ZodType<unknown[]>> = {
  evaluate: z.tuple([
    z.strictObject({
      chaincode: z.string().min(1).max(128).optional(),
      fn: z.string().min(1).max(256),
      args: z.array(z.string()).max(NATIVE_READ_LIMITS.chaincodeArgsMax).default([]),
    }),
  ]),
  chainInfo: z.tuple([]),
  getBlock: z.tuple([z.union([z.number().int().min(0), hex64('a block hash')])]),
  getTransaction: z.tuple([hex64('a transaction id')]),
};

/** The parameters checked against the method's schema, or INVALID_ARGUMENT naming the reads there are. */
function parseParams(reads: Record<string, z.ZodType<unknown[]>>, method: string, params: unknown[]): unknown[] {
  const schema = Object.hasOwn(reads, method) ? reads[method] : undefined;
  if (!schema) {
    throw new OcapError('INVALID_ARGUMENT', `${method} is not a read of this chain; the reads are ${Object.keys(reads).join(', ')}`);
  }
  const parsed = schema.safeParse(params);
  if (!parsed.success) {
    throw new OcapError(
      'INVALID_ARGUMENT',
      `${method}: ${parsed.error.issues.map((i) => `parameter ${i.path.join('.') || ''} ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/** Fabric answers hold bytes (arguments, payloads): as hex, so they survive JSON. */
function bytesAsHex(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(bytesAsHex);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, field]) => [key, bytesAsHex(field)]));
  }
  return value;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A chaincode's answer: its bytes in hex, and as text when they are UTF-8 (what most chaincodes return). */
function chaincodeAnswer(bytes: Uint8Array): { hex: string; text: string | null } {
  let text: string | null;
  try {
    text = utf8.decode(bytes);
  } catch {
    // Not UTF-8 (a protobuf, an image): the hex is the answer.
    text = null;
  }
  return { hex: Buffer.from(bytes).toString('hex'), text };
}

async function fabricRead(native: FabricNative, method: string, params: unknown[]): Promise<unknown> {
  const parsed = parseParams(FABRIC_READS, method, params);
  switch (method) {
    case 'evaluate': {
      const call = parsed[0] as { chaincode?: string; fn: string; args: string[] };
      return chaincodeAnswer(await native.evaluate(call));
    }
    case 'chainInfo':
      return native.chainInfo();
    case 'getBlock': {
      const ref = parsed[0] as number | string;
      return bytesAsHex(await native.getBlock(typeof ref === 'number' ? { height: ref } : { hash: ref }));
    }
    case 'getTransaction': {
      // The holding block by number and hash only: getBlock reads the whole of it.
      const { tx, block } = await native.getTransaction(parsed[0] as string);
      return bytesAsHex({ tx, block: { number: block.number, hash: block.hash } });
    }
    default:
      throw new Error(`FABRIC_READS lists ${method} but fabricRead does not serve it`);
  }
}

/**
 * One read-only native call (OCAP level 3) on a chain: a JSON-RPC read on ethereum chains, a NodeApi read on the
 * node's own chain, a chaincode evaluate or a qscc read on fabric chains. Other adapters have no native reads here
 * (ADAPTER_UNSUPPORTED). Answers are JSON (bigints as decimal strings, bytes as hex).
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
    const parsed = parseParams(NATIVE_LEDGER_READS, method, params);
    const api = (adapter.native as NativeNative).api as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    return toJson(await (api[method] as (...args: unknown[]) => Promise<unknown>).apply(api, parsed));
  }
  if (adapter.name === 'fabric') return toJson(await fabricRead(adapter.native as FabricNative, method, params));
  throw new OcapError('ADAPTER_UNSUPPORTED', `the ${adapter.name} adapter offers no native reads to blocklets`);
}
