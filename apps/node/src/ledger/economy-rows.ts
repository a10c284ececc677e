import type { StateEntry } from '@arc/core';
import type { Sql } from '../db/client.ts';

type EconomyEntry = Extract<StateEntry, { kind: 'stake' | 'application' | 'receipt' }>;

/** A block's token-economy writes (stakes, applications, receipts), one column array per table column, upserted table by table. */
export class EconomyRows {
  private readonly stakes = { did: [] as string[], value: [] as string[] };
  private readonly applications = { did: [] as string[], owner: [] as string[], value: [] as string[] };
  private readonly receipts = { id: [] as string[], value: [] as string[] };

  /** Adds an entry with its canonical encoding in hex. */
  add(entry: EconomyEntry, value: string): void {
    switch (entry.kind) {
      case 'stake':
        this.stakes.did.push(entry.value.did);
        this.stakes.value.push(value);
        return;
      case 'application':
        this.applications.did.push(entry.value.did);
        this.applications.owner.push(entry.value.owner);
        this.applications.value.push(value);
        return;
      case 'receipt':
        this.receipts.id.push(entry.value.id);
        this.receipts.value.push(value);
        return;
    }
  }

  async write(tx: Sql): Promise<void> {
    const { stakes: s, applications: a, receipts: r } = this;
    if (s.did.length > 0) {
      await tx.query(
        `INSERT INTO stakes (did, value)
         SELECT d, decode(v,'hex') FROM unnest($1::text[], $2::text[]) AS x(d, v)
         ON CONFLICT (did) DO UPDATE SET value = EXCLUDED.value`,
        [s.did, s.value],
      );
    }
    if (a.did.length > 0) {
      await tx.query(
        `INSERT INTO applications (did, owner, value)
         SELECT d, o, decode(v,'hex') FROM unnest($1::text[], $2::text[], $3::text[]) AS x(d, o, v)
         ON CONFLICT (did) DO UPDATE SET owner = EXCLUDED.owner, value = EXCLUDED.value`,
        [a.did, a.owner, a.value],
      );
    }
    if (r.id.length > 0) {
      await tx.query(
        `INSERT INTO receipts (id, value)
         SELECT i, decode(v,'hex') FROM unnest($1::text[], $2::text[]) AS x(i, v)
         ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value`,
        [r.id, r.value],
      );
    }
  }
}
