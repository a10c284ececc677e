import { decodeMessage, didFromPublicKey, toHex, validatorWeight } from '@arc/core';
import { z } from 'zod';
import { publicProcedure, router } from '../api/trpc.ts';
import { NodeError } from '../errors.ts';
import type { Services } from '../services.ts';

const PeerOut = z.object({
  did: z.string().nullable(),
  url: z.string().nullable(),
  state: z.string(),
  lastError: z.string().nullable(),
  messagesIn: z.number(),
  messagesOut: z.number(),
  dropped: z.number(),
  rttMs: z.number().nullable(),
  connectedAtMs: z.number().nullable(),
});

export const ConsensusStatusOut = z.object({
  /** False on a node of a one-node chain (no validators in its genesis): the rest is then empty. */
  enabled: z.boolean(),
  nodeDid: z.string(),
  validator: z.boolean(),
  height: z.number(),
  attempt: z.number(),
  step: z.number(),
  phase: z.string(),
  validators: z.array(z.object({ did: z.string(), weight: z.number() })),
  peers: z.array(PeerOut),
  counts: z.record(z.string(), z.number()),
  /** Recent heights on this node, newest first: when agreement started, this node proposed, the block was decided. */
  recent: z.array(
    z.object({
      height: z.number(),
      startedAtMs: z.number(),
      proposedAtMs: z.number().nullable(),
      decidedAtMs: z.number().nullable(),
      attempt: z.number(),
      final: z.boolean(),
    }),
  ),
});

export const CertificateOut = z.object({
  height: z.number(),
  hash: z.string(),
  attempt: z.number(),
  /** The step whose votes decided the block (65535: the final step). */
  step: z.number(),
  final: z.boolean(),
  decidedAtMs: z.number(),
  votes: z.array(z.object({ voter: z.string(), publicKey: z.string(), weight: z.number(), signature: z.string() })),
  /** The certificate as stored (core's encodeMessage), for a client to check itself. */
  encoded: z.string(),
});

export function consensusStatus(services: Services): z.infer<typeof ConsensusStatusOut> {
  const { ledger, consensus } = services;
  const validators = (ledger.params.consensus?.validators ?? []).map((v) => ({ did: v.did, weight: validatorWeight(v.stake) }));
  const base = { nodeDid: ledger.nodeDid, validator: validators.some((v) => v.did === ledger.nodeDid), validators };
  if (!consensus) {
    return { enabled: false, ...base, height: ledger.head.height, attempt: 0, step: 0, phase: 'idle', peers: [], counts: {}, recent: [] };
  }
  const s = consensus.status();
  return {
    enabled: true,
    ...base,
    height: s.height,
    attempt: s.attempt,
    step: s.step,
    phase: s.phase,
    peers: s.peers.map((p) => ({
      did: p.did ?? null,
      url: p.url ?? null,
      state: p.state,
      lastError: p.lastError ?? null,
      messagesIn: p.messagesIn,
      messagesOut: p.messagesOut,
      dropped: p.dropped,
      rttMs: p.rttMs ?? null,
      connectedAtMs: p.connectedAtMs ?? null,
    })),
    counts: s.counts,
    recent: s.recent,
  };
}

async function certificateAt(services: Services, height: number): Promise<z.infer<typeof CertificateOut>> {
  const [row] = await services.ledger.db.query<{
    hash: Uint8Array;
    attempt: number;
    step: number;
    final: boolean;
    certificate: Uint8Array;
    at: number;
  }>('SELECT hash, attempt, step, final, certificate, decided_at_ms::float8 AS at FROM block_certificates WHERE height = $1', [height]);
  if (!row) throw new NodeError('NOT_FOUND', `block ${height} has no certificate here (a one-node chain's blocks have none)`);
  const cert = decodeMessage(row.certificate);
  if (cert.kind !== 'certificate') throw new NodeError('INTERNAL', `the stored certificate of block ${height} does not decode as one`);
  const weights = new Map((services.ledger.params.consensus?.validators ?? []).map((v) => [toHex(v.publicKey), validatorWeight(v.stake)]));
  return {
    height,
    hash: toHex(row.hash),
    attempt: row.attempt,
    step: row.step,
    final: row.final,
    decidedAtMs: row.at,
    votes: cert.votes.map((v) => ({
      voter: didFromPublicKey(v.voter, 'node'),
      publicKey: toHex(v.voter),
      weight: weights.get(toHex(v.voter)) ?? 0,
      signature: toHex(v.signature),
    })),
    encoded: toHex(row.certificate),
  };
}

/** Fault injection for tests of a real cluster (ARC_FAULT_INJECTION=on): cut or heal gossip with one peer or all. */
const FaultIn = z.object({ action: z.enum(['cut', 'heal']), did: z.string().min(1).max(128).optional() });

export const consensusRouter = router({
  /** This node's agreement: height, attempt and step, peers, counters and recent timings (the network page). */
  status: publicProcedure.output(ConsensusStatusOut).query(({ ctx }) => consensusStatus(ctx.services)),
  /** A block's certificate: the votes that decided it, decoded, and as stored. */
  certificate: publicProcedure
    .input(z.object({ height: z.number().int().min(1) }))
    .output(CertificateOut)
    .query(({ ctx, input }) => certificateAt(ctx.services, input.height)),
  fault: publicProcedure.input(FaultIn).mutation(({ ctx, input }) => {
    const driver = ctx.services.consensus;
    if (!driver || !ctx.services.faultInjection) {
      throw new NodeError('FORBIDDEN', 'fault injection is off on this node (start it with ARC_FAULT_INJECTION=on, for tests only)');
    }
    const gossip = driver.gossip;
    if (input.did) {
      if (input.action === 'cut') gossip.cut(input.did);
      else gossip.heal(input.did);
    } else if (input.action === 'cut') gossip.cutAll();
    else gossip.healAll();
    return { ok: true };
  }),
});
