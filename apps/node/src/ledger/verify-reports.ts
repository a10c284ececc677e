import { fromHex, TX_LIMITS, toHex, verifyAdmin } from '@arc/core';
import { z } from 'zod';
import { REPLAYED_MESSAGE, ReplayGuard } from '../admin/replay-guard.ts';
import { did } from '../api/inputs.ts';
import type { Sql } from '../db/client.ts';
import { NodeError } from '../errors.ts';
import type { Ledger } from './ledger.ts';

/**
 * Reports that someone replayed this node's chain from its genesis (`arc node verify --report`) and reached the
 * node's own state root at a height; the explorer shows the highest. A report is a signed claim, not a proof: the
 * node checks that its signer holds the key of the DID it names, that it is about this chain, and that its state
 * root is the node's own at that height, so a stored report can only ever agree with the node. Whom to believe is
 * the reader's call: the explorer names the verifier.
 *
 * The request is signed with `signAdmin(key, 'chain.reportVerified', verifierDid, { chainId, height, stateRoot },
 * timeMs)` from @arc/core, and is usable once (the replay guard every signed request goes through).
 */

export const REPORT_VERIFIED_OP = 'chain.reportVerified';

export const VERIFY_REPORT_LIMITS = {
  /**
   * Reports kept. Anyone with a key can report, so the table has a bound: past it the lowest reports go, and the
   * highest (the one the explorer shows) always stays.
   */
  reportsKeptMax: 1_000,
  /** Rows one report's prune deletes at most, so no report runs a long delete. */
  pruneRowsPerReportMax: 100,
} as const;

const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `${bytes} bytes as lower-case hex`);
const AuthIn = z.strictObject({ publicKey: hex(32), timeMs: z.number().int().nonnegative(), signature: hex(64) });

export const ReportVerifiedIn = z.strictObject({
  /** The DID that signs the report (signAdmin's name). */
  verifier: did,
  chainId: z.string().min(1).max(TX_LIMITS.chainIdBytes),
  /** The last height the replay checked; block 0 is the genesis itself, so a report starts at 1. */
  height: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  /** The state root the replay reached at `height`. */
  stateRoot: hex(32),
  auth: AuthIn,
});

export const VerifiedReportOut = z.object({
  height: z.number(),
  stateRoot: z.string(),
  verifier: z.string(),
  /** When the node recorded it, by the node's clock. */
  atMs: z.number(),
});
export const LastVerifiedOut = VerifiedReportOut.nullable();

type VerifiedReport = z.infer<typeof VerifiedReportOut>;

interface ReportRow {
  height: number;
  state_root: Uint8Array;
  verifier: string;
  at_ms: number;
}

function reportOf(row: ReportRow): VerifiedReport {
  return { height: row.height, stateRoot: toHex(row.state_root), verifier: row.verifier, atMs: row.at_ms };
}

/** The node's own state root at a height, or the reason it has none to compare with. */
async function ownStateRoot(db: Sql, height: number, headHeight: number): Promise<string> {
  if (height > headHeight) {
    throw new NodeError('HEIGHT_AHEAD', `The node is at height ${headHeight}, below ${height}; send the report again once it is there.`);
  }
  const [row] = await db.query<{ state_root: Uint8Array }>('SELECT state_root FROM blocks WHERE height = $1', [height]);
  if (row) return toHex(row.state_root);
  const [first] = await db.query<{ height: number | null }>('SELECT min(height)::float8 AS height FROM blocks');
  throw new NodeError(
    'HEIGHT_NOT_KEPT',
    `The node keeps no block at height ${height} (its first is ${first?.height ?? 'none'}); verify up to a height it keeps.`,
  );
}

/**
 * Records a verification report once every check holds: the signature (UNAUTHORIZED), that the signer is the DID
 * named (FORBIDDEN), the chain (BAD_INPUT), the height (HEIGHT_AHEAD, HEIGHT_NOT_KEPT), the state root
 * (STATE_ROOT_MISMATCH) and that the request is new (REPLAYED). A refused report changes nothing.
 */
export async function reportVerified(ledger: Ledger, input: z.infer<typeof ReportVerifiedIn>): Promise<VerifiedReport> {
  const { auth, verifier, ...params } = input;
  const nowMs = ledger.options.now();
  const verified = verifyAdmin(
    { publicKey: fromHex(auth.publicKey), timeMs: auth.timeMs, signature: fromHex(auth.signature) },
    REPORT_VERIFIED_OP,
    verifier,
    params,
    nowMs,
  );
  if ('error' in verified) throw new NodeError('UNAUTHORIZED', `Not authorized: ${verified.error}.`);
  if (verified.did !== verifier) throw new NodeError('FORBIDDEN', `The report names ${verifier}; sign it with that DID's key.`);
  if (params.chainId !== ledger.chainId) {
    throw new NodeError(
      'BAD_INPUT',
      `The report is about chain "${params.chainId}"; this node runs "${ledger.chainId}". Verify this node.`,
    );
  }
  const own = await ownStateRoot(ledger.db, params.height, ledger.head.height);
  if (own !== params.stateRoot) {
    throw new NodeError(
      'STATE_ROOT_MISMATCH',
      `The report's state root ${params.stateRoot} at height ${params.height} is not the node's own (${own}); the replay and the node disagree.`,
    );
  }
  // Claimed last, so a refusal above leaves the signature usable (HEIGHT_AHEAD can pass once the node catches up).
  const fresh = await new ReplayGuard(ledger.db, ledger.options.now).claim({
    did: verifier,
    op: REPORT_VERIFIED_OP,
    name: verifier,
    params,
    timeMs: auth.timeMs,
  });
  if (!fresh) throw new NodeError('REPLAYED', REPLAYED_MESSAGE);
  const [row] = await ledger.db.query<ReportRow>(
    `INSERT INTO verify_reports (verifier, height, state_root, at_ms) VALUES ($1, $2, $3, $4)
     RETURNING height::float8 AS height, state_root, verifier, at_ms::float8 AS at_ms`,
    [verifier, params.height, fromHex(params.stateRoot), nowMs],
  );
  if (!row) throw new Error('INSERT … RETURNING answered no row');
  await ledger.db.query(
    `DELETE FROM verify_reports WHERE id IN (
       SELECT id FROM verify_reports ORDER BY height DESC, id DESC OFFSET $1 LIMIT $2)`,
    [VERIFY_REPORT_LIMITS.reportsKeptMax, VERIFY_REPORT_LIMITS.pruneRowsPerReportMax],
  );
  return reportOf(row);
}

/** The report with the greatest height (the newest of those at it), or null when nobody has reported. */
export async function lastVerified(db: Sql): Promise<VerifiedReport | null> {
  const [row] = await db.query<ReportRow>(
    `SELECT height::float8 AS height, state_root, verifier, at_ms::float8 AS at_ms
     FROM verify_reports ORDER BY height DESC, id DESC LIMIT 1`,
  );
  return row ? reportOf(row) : null;
}
