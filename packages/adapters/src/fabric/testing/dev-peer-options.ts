import { z } from 'zod';
import type { ChaincodeDefinition } from './chaincode-support.ts';

/** Chaincodes one peer runs at most (each is a Node.js process). */
export const CHAINCODES_MAX = 16;

export interface DevPeerOptions {
  /** The channel's name (default `arcchannel`). */
  channel?: string;
  /** The organization's MSP id (default `Org1MSP`). */
  mspId?: string;
  /** Chaincodes to run: a folder whose package.json `main` exports fabric-contract-api contracts (version `1.0`). */
  chaincodes?: { name: string; path: string; version?: string }[];
  /** A block is cut this long after its first transaction arrived (default 100 ms). */
  blockCutMs?: number;
  /** …or as soon as this many transactions wait (default 10). */
  blockMaxTxs?: number;
  /** Keeps identities and blocks here, to be found again by a peer started on it; default: a temporary folder. */
  dataDir?: string;
  /** Receives the peer's and the chaincodes' log lines (none by default). */
  log?: (line: string) => void;
}

/** Fabric's own name rules: channel names (configtx), chaincode names and versions (lifecycle). */
const Options = z.object({
  channel: z
    .string()
    .regex(/^[a-z][a-z0-9.-]{0,248}$/, 'a channel name is lower-case letters, digits, "." and "-", starting with a letter')
    .default('arcchannel'),
  mspId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'an MSP id is letters, digits, ".", "_" and "-"')
    .default('Org1MSP'),
  chaincodes: z
    .array(
      z.object({
        name: z
          .string()
          .regex(/^[a-zA-Z0-9]+([-_][a-zA-Z0-9]+)*$/, 'a chaincode name is letters and digits, with single "-" or "_" between'),
        path: z.string().min(1),
        version: z
          .string()
          .regex(/^[A-Za-z0-9_.+-]{1,64}$/, 'a chaincode version is letters, digits, "_", ".", "+" and "-"')
          .default('1.0'),
      }),
    )
    .max(CHAINCODES_MAX)
    .default([]),
  blockCutMs: z.number().int().min(1).max(60_000).default(100),
  blockMaxTxs: z.number().int().min(1).max(10_000).default(10),
  dataDir: z.string().min(1).optional(),
  log: z.custom<(line: string) => void>((value) => typeof value === 'function', 'log must be a function').optional(),
});

export interface DevPeerSettings {
  channel: string;
  mspId: string;
  chaincodes: ChaincodeDefinition[];
  blockCutMs: number;
  blockMaxTxs: number;
  dataDir?: string;
  log?: (line: string) => void;
}

/** Parses the options (throwing a readable error for bad ones) and fills in the defaults. */
export function parseDevPeerOptions(options: DevPeerOptions): DevPeerSettings {
  const parsed = Options.safeParse(options);
  if (!parsed.success) {
    throw new Error(
      `invalid development peer options: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
  return parsed.data as DevPeerSettings;
}
