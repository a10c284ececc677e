import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CLIENT_ERRORS } from '@arc/client';
import { BLOCKLET_ERRORS, ERROR_CATALOG, type ErrorCode, isErrorCode, LEDGER_ERRORS, OCAP_ERRORS } from '@arc/core';
import { describe, expect, it } from 'vitest';
import { toTrpcError } from '../src/api/trpc.ts';
import { GOSSIP_ERRORS } from '../src/consensus/gossip/errors.ts';
import { NODE_ERRORS, NodeError } from '../src/errors.ts';
import { ddpError } from '../src/gateway/ddp-messages.ts';
import { GatewayError, type GatewayErrorCode, gatewayErrorPayload } from '../src/gateway/types.ts';
import { SANDBOX_ERRORS, SandboxError } from '../src/runtime/sandbox/types.ts';
import { BLOCKLET_FAILURE_STATUS } from '../src/runtime/triggers/http.ts';

/**
 * The error catalogue is the one source: every code the source raises is in it, and every package's own view of
 * `code → retriable` (and of statuses) says what it says. Two tables that disagree on a code fail here.
 */

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SOURCE_DIRS = ['packages/core/src', 'packages/adapters/src', 'packages/client/src', 'apps/node/src', 'apps/cli/src'];
const CODES = Object.keys(ERROR_CATALOG) as ErrorCode[];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'testing' ? [] : sourceFiles(path);
    return /\.(ts|mts|mjs)$/.test(entry.name) && !/\.(test|testkit)\.|\.d\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** Where the source names an error code: error constructors and helpers, wire payloads, `*ErrorCode` unions. */
const CODE_SITES = [
  /new (?:NodeError|GatewayError|ClientError|LedgerError|OcapError|SandboxError|HostCallError|CliError|GossipError|VrfError)\(\s*'([A-Z][A-Z0-9_]*)'/g,
  /\b(?:ledgerError|ocapError|ddpError|gatewayErrorPayload|fail)\(\s*'([A-Z][A-Z0-9_]*)'/g,
  /\bsendError\(\s*res,\s*'([A-Z][A-Z0-9_]*)'/g,
  /\bcode: '([A-Z][A-Z0-9_]*)'/g,
];

/** Every code the source raises, with where (a `code:` in a TRPCError is tRPC's own code, not ours). */
function codesInSource(): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of SOURCE_DIRS) {
    for (const file of sourceFiles(join(ROOT, dir))) {
      const text = readFileSync(file, 'utf8');
      const where = (index: number) => `${relative(ROOT, file)}:${text.slice(0, index).split('\n').length}`;
      for (const site of CODE_SITES) {
        for (const match of text.matchAll(site)) {
          if (text.slice(Math.max(0, match.index - 40), match.index).includes('TRPCError')) continue;
          found.set(match[1] as string, where(match.index));
        }
      }
      for (const union of text.matchAll(/type \w*ErrorCode\s*=([^;]+);/g)) {
        for (const member of (union[1] as string).matchAll(/'([A-Z][A-Z0-9_]*)'/g)) found.set(member[1] as string, where(union.index));
      }
    }
  }
  return found;
}

describe('the error catalogue against the source', () => {
  it('holds every code the source raises', () => {
    const found = codesInSource();
    expect(found.size).toBeGreaterThan(50);
    const missing = [...found].filter(([code]) => !isErrorCode(code)).map(([code, where]) => `${code} (${where})`);
    expect(missing).toEqual([]);
  });

  it('is what every table of every package says: one retriable value per code', () => {
    const views: Record<string, Readonly<Record<string, boolean>>> = {
      LEDGER_ERRORS,
      OCAP_ERRORS,
      BLOCKLET_ERRORS,
      NODE_ERRORS,
      SANDBOX_ERRORS,
      CLIENT_ERRORS,
      GOSSIP_ERRORS: Object.fromEntries(Object.entries(GOSSIP_ERRORS).map(([code, spec]) => [code, spec.retriable])),
    };
    const seen = new Map<string, Map<boolean, string[]>>();
    for (const [name, view] of Object.entries(views)) {
      for (const [code, retriable] of Object.entries(view)) {
        const byValue = seen.get(code) ?? new Map<boolean, string[]>();
        byValue.set(retriable, [...(byValue.get(retriable) ?? []), name]);
        seen.set(code, byValue);
      }
    }
    for (const [code, byValue] of seen) {
      expect(byValue.size, `${code}: ${JSON.stringify([...byValue])}`).toBe(1);
      expect([...byValue.keys()][0], code).toBe(ERROR_CATALOG[code as ErrorCode].retriable);
    }
    expect(SANDBOX_ERRORS.BLOCKLET_TIMEOUT).toBe(BLOCKLET_ERRORS.BLOCKLET_TIMEOUT);
    expect(LEDGER_ERRORS.FEE_TOO_LOW).toBe(OCAP_ERRORS.FEE_TOO_LOW);
  });

  it('gives the node’s errors, their tRPC codes, HTTP statuses and gateway payloads the catalogue’s values', () => {
    for (const code of CODES) {
      const spec = ERROR_CATALOG[code];
      const error = new NodeError(code);
      expect(error, code).toMatchObject({ retriable: spec.retriable, message: spec.sentence });
      expect(toTrpcError(error).code, code).toBe(spec.trpcCode);
      expect(gatewayErrorPayload(code), code).toEqual({ code, message: spec.sentence, retriable: spec.retriable });
      expect(ddpError(code, 'why').details.retriable, code).toBe(spec.retriable);
    }
    for (const code of CODES.filter((c) => (ERROR_CATALOG[c].families as readonly string[]).includes('gateway'))) {
      expect(new GatewayError(code as GatewayErrorCode).retriable, code).toBe(ERROR_CATALOG[code].retriable);
    }
    for (const [code, status] of Object.entries(BLOCKLET_FAILURE_STATUS))
      expect(status, code).toBe(ERROR_CATALOG[code as ErrorCode].httpStatus);
    expect(new SandboxError('BLOCKLET_TIMEOUT', 'slow').retriable).toBe(ERROR_CATALOG.BLOCKLET_TIMEOUT.retriable);
    expect(BLOCKLET_FAILURE_STATUS.BLOCKLET_TIMEOUT).toBe(504);
  });
});
