/** How long each recent height took on this node: from starting to agree on it to deciding it (the network page). */
export const TIMINGS_KEPT = 100;

export interface HeightTiming {
  height: number;
  startedAtMs: number;
  proposedAtMs: number | null;
  decidedAtMs: number | null;
  attempt: number;
  final: boolean;
}

export class ConsensusTimings {
  private readonly rows: HeightTiming[] = [];

  started(height: number, nowMs: number): void {
    if (this.rows.at(-1)?.height === height) return;
    this.rows.push({ height, startedAtMs: nowMs, proposedAtMs: null, decidedAtMs: null, attempt: 0, final: false });
    if (this.rows.length > TIMINGS_KEPT) this.rows.shift();
  }

  proposed(height: number, nowMs: number): void {
    const row = this.rows.find((r) => r.height === height);
    if (row && row.proposedAtMs === null) row.proposedAtMs = nowMs;
  }

  decided(height: number, attempt: number, final: boolean, nowMs: number): void {
    const row = this.rows.find((r) => r.height === height);
    if (!row) return;
    row.decidedAtMs = nowMs;
    row.attempt = attempt;
    row.final = final;
  }

  /** The recent heights, newest first. */
  recent(): HeightTiming[] {
    return [...this.rows].reverse();
  }
}
