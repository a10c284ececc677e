import { describe, expect, it } from 'vitest';
import { BLOCKLET_ERRORS } from '../blocklet/sdk.ts';
import { LEDGER_ERRORS, LedgerError } from '../ledger/errors.ts';
import { OCAP_ERRORS, OcapError } from '../ocap/errors.ts';
import {
  ERROR_CATALOG,
  ERROR_SECTIONS,
  type ErrorCode,
  type ErrorFamily,
  errorCodesOf,
  errorSentence,
  httpStatusOf,
  isRetriable,
  TRPC_FALLBACK_CODES,
  type TrpcCode,
} from './catalog.ts';

const CODES = Object.keys(ERROR_CATALOG) as ErrorCode[];
const FAMILIES: ErrorFamily[] = ['ledger', 'ocap', 'blocklet', 'gateway', 'node', 'admin', 'client', 'cli', 'consensus'];

describe('the error catalogue', () => {
  it('writes each code once, in one section', () => {
    const seen = new Map<string, number>();
    ERROR_SECTIONS.forEach((section, index) => {
      for (const code of Object.keys(section)) {
        expect(seen.has(code), `${code} is in sections ${seen.get(code)} and ${index}`).toBe(false);
        seen.set(code, index);
      }
    });
    expect([...seen.keys()].sort()).toEqual([...CODES].sort());
  });

  it('gives every code a family, an error status, a tRPC code and a sentence that says what to do', () => {
    for (const code of CODES) {
      const spec = ERROR_CATALOG[code];
      expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(spec.families.length, code).toBeGreaterThan(0);
      expect(new Set(spec.families).size, code).toBe(spec.families.length);
      expect(spec.httpStatus, code).toBeGreaterThanOrEqual(400);
      expect(spec.httpStatus, code).toBeLessThan(600);
      expect(spec.sentence, code).toMatch(/^[A-Zc].{10,200}\.$/);
    }
  });

  it('has codes in every family', () => {
    for (const family of FAMILIES) expect(errorCodesOf(family).length, family).toBeGreaterThan(0);
  });

  it('decides the disputed codes once: the same request, sent again later unchanged, can succeed', () => {
    // A fee below the minimum needs a new transaction with a higher fee, on the ledger and on every chain.
    expect(ERROR_CATALOG.FEE_TOO_LOW).toMatchObject({ retriable: false, families: ['ledger', 'ocap'] });
    // Wall clock includes waits on hosts, chains and a full sandbox queue: a later call can finish in time.
    expect(ERROR_CATALOG.BLOCKLET_TIMEOUT).toMatchObject({ retriable: true, httpStatus: 504 });
    expect(ERROR_CATALOG.BLOCKLET_CPU_LIMIT.retriable).toBe(false);
    expect(ERROR_CATALOG.RATE_LIMITED).toMatchObject({ retriable: true, httpStatus: 429, trpcCode: 'TOO_MANY_REQUESTS' });
    // A bug answers the same way until it is fixed.
    expect(ERROR_CATALOG.INTERNAL).toMatchObject({ retriable: false, httpStatus: 500, trpcCode: 'INTERNAL_SERVER_ERROR' });
    expect(ERROR_CATALOG.REPLAYED.retriable).toBe(false);
  });

  it("is what every core table says: one retriable value per code across the ledger's, OCAP's and the runtime's", () => {
    const views: Record<string, Readonly<Record<string, boolean>>> = { LEDGER_ERRORS, OCAP_ERRORS, BLOCKLET_ERRORS };
    const values = new Map<string, Set<boolean>>();
    for (const view of Object.values(views)) {
      for (const [code, retriable] of Object.entries(view)) values.set(code, (values.get(code) ?? new Set()).add(retriable));
    }
    for (const [code, seen] of values) {
      expect([...seen], `${code} has two retriable values`).toHaveLength(1);
      expect([...seen][0], code).toBe(isRetriable(code));
    }
    expect(Object.keys(LEDGER_ERRORS).sort()).toEqual(errorCodesOf('ledger').sort());
    expect(Object.keys(OCAP_ERRORS)).toContain('FEE_TOO_LOW');
    expect(Object.keys(BLOCKLET_ERRORS)).toContain('BLOCKLET_TIMEOUT');
  });

  it('builds typed errors whose retriable flag is the catalogue’s', () => {
    expect(new LedgerError('FEE_TOO_LOW', 'fee').retriable).toBe(false);
    expect(new OcapError('FEE_TOO_LOW', 'fee').retriable).toBe(false);
    expect(new LedgerError('INSUFFICIENT_FUNDS', 'poor').retriable).toBe(true);
    expect(new OcapError('UNAVAILABLE', 'down').retriable).toBe(true);
    expect(new OcapError('INTERNAL', 'bug').retriable).toBe(false);
  });

  it('maps each bare tRPC code to a code whose own tRPC code maps back to it', () => {
    for (const [trpcCode, code] of Object.entries(TRPC_FALLBACK_CODES) as [TrpcCode, ErrorCode][]) {
      const own = ERROR_CATALOG[code].trpcCode;
      expect(TRPC_FALLBACK_CODES[own], `${trpcCode} → ${code} → ${own}`).toBe(code);
    }
    expect(isRetriable(TRPC_FALLBACK_CODES.TOO_MANY_REQUESTS)).toBe(true);
    expect(isRetriable(TRPC_FALLBACK_CODES.SERVICE_UNAVAILABLE)).toBe(true);
    expect(isRetriable(TRPC_FALLBACK_CODES.INTERNAL_SERVER_ERROR)).toBe(false);
  });

  it('answers a code it does not know as not retriable, status 500, with a generic sentence', () => {
    expect(isRetriable('NO_SUCH_CODE')).toBe(false);
    expect(isRetriable('toString')).toBe(false);
    expect(httpStatusOf('NO_SUCH_CODE')).toBe(500);
    expect(errorSentence('NO_SUCH_CODE')).toContain('NO_SUCH_CODE');
  });
});
