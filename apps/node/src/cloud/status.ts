import { z } from 'zod';
import type { Services } from '../services.ts';
import { PROCESS_GONE_AFTER_MS } from './cloud-node.ts';

/** Take-overs of the producer lease listed at most. */
const FAILOVERS_LISTED = 20;

export const ProcessesOut = z.object({
  /** False on a node of one process (no ARC_PROCESS): the list then holds this process alone. */
  cloud: z.boolean(),
  /** The process that answered. */
  self: z.string(),
  processes: z.array(
    z.object({
      name: z.string(),
      url: z.string(),
      host: z.string(),
      pid: z.number(),
      startedAtMs: z.number(),
      seenAtMs: z.number(),
      /** The height it has followed (or produced) up to. */
      height: z.number(),
      producing: z.boolean(),
      /** False once it has not been seen for a few seconds (died or cut off). */
      alive: z.boolean(),
    }),
  ),
  /** The lease: who holds it, its fencing epoch, when it expires unless renewed. */
  producer: z.object({ name: z.string(), epoch: z.number(), sinceMs: z.number(), expiresAtMs: z.number() }).nullable(),
  /** The latest take-overs, newest first: the new holder, the one before (null at the first), the height then. */
  failovers: z.array(
    z.object({ epoch: z.number(), name: z.string(), previous: z.string().nullable(), height: z.number(), atMs: z.number() }),
  ),
});

/** The processes of this node, which one produces, and the producer's take-overs (the explorer's network page). */
export async function processesOut(services: Services): Promise<z.infer<typeof ProcessesOut>> {
  const { ledger, cloud } = services;
  const now = ledger.options.now();
  if (!cloud) {
    const self = {
      name: 'node',
      url: '',
      host: '',
      pid: process.pid,
      startedAtMs: Math.round(now - process.uptime() * 1000),
      seenAtMs: now,
      height: ledger.head.height,
    };
    return { cloud: false, self: 'node', processes: [{ ...self, producing: true, alive: true }], producer: null, failovers: [] };
  }
  const { db } = ledger;
  const [lease] = await db.query<{ holder: string; epoch: number; taken: number; expires: number }>(
    `SELECT holder, epoch::float8 AS epoch, (extract(epoch from taken_at) * 1000)::float8 AS taken,
            (extract(epoch from expires_at) * 1000)::float8 AS expires FROM node_lease WHERE name = 'producer'`,
  );
  const live = lease && lease.expires > now ? lease : null;
  const rows = await db.query<{ id: string; url: string; host: string; pid: number; started: number; seen: number; height: number }>(
    `SELECT id, url, host, pid, started_at_ms::float8 AS started, seen_at_ms::float8 AS seen, height::float8 AS height
     FROM node_processes ORDER BY id`,
  );
  const failovers = await db.query<{ epoch: number; holder: string; previous: string | null; height: number; at: number }>(
    `SELECT epoch::float8 AS epoch, holder, previous, height::float8 AS height, taken_at_ms::float8 AS at
     FROM lease_history ORDER BY epoch DESC LIMIT $1`,
    [FAILOVERS_LISTED],
  );
  return {
    cloud: true,
    self: cloud.options.process,
    processes: rows.map((r) => ({
      name: r.id,
      url: r.url,
      host: r.host,
      pid: r.pid,
      startedAtMs: r.started,
      seenAtMs: r.seen,
      height: r.height,
      producing: live?.holder === r.id,
      alive: r.seen > now - PROCESS_GONE_AFTER_MS,
    })),
    producer: live ? { name: live.holder, epoch: live.epoch, sinceMs: live.taken, expiresAtMs: live.expires } : null,
    failovers: failovers.map((f) => ({ epoch: f.epoch, name: f.holder, previous: f.previous, height: f.height, atMs: f.at })),
  };
}
