import type { StateEntry } from '@arc/core';
import type { Sql } from '../db/client.ts';

/** A block's marketplace writes, one column array per table column, upserted table by table. */
export class MarketRows {
  private readonly rows = {
    components: { name: [] as string[], kind: [] as string[], owner: [] as string[], value: [] as string[] },
    versions: { name: [] as string[], version: [] as string[], status: [] as string[], published: [] as number[], value: [] as string[] },
    reviews: { component: [] as string[], reviewer: [] as string[], value: [] as string[] },
    reports: { id: [] as string[], component: [] as string[], status: [] as string[], created: [] as number[], value: [] as string[] },
    usage: { component: [] as string[], account: [] as string[], value: [] as string[] },
  };

  add(entry: StateEntry, value: string): void {
    const r = this.rows;
    switch (entry.kind) {
      case 'component':
        push(r.components, { name: entry.value.name, kind: entry.value.kind, owner: entry.value.owner, value });
        return;
      case 'componentVersion': {
        const v = entry.value;
        push(r.versions, { name: v.name, version: v.version, status: v.status, published: v.publishedAtHeight, value });
        return;
      }
      case 'review':
        push(r.reviews, { component: entry.value.component, reviewer: entry.value.reviewer, value });
        return;
      case 'report': {
        const v = entry.value;
        push(r.reports, { id: v.id, component: v.component, status: v.status, created: v.createdAtHeight, value });
        return;
      }
      case 'usage':
        push(r.usage, { component: entry.value.component, account: entry.value.account, value });
        return;
      default:
        throw new Error(`a ${entry.kind} entry is not marketplace state`);
    }
  }

  async write(tx: Sql, height: number): Promise<void> {
    const { components: c, versions: v, reviews: r, reports: p, usage: u } = this.rows;
    if (c.name.length > 0) {
      await tx.query(
        `INSERT INTO components (name, kind, owner, updated_height, value)
         SELECT n, k, o, $1, decode(v,'hex') FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS x(n, k, o, v)
         ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, updated_height = EXCLUDED.updated_height, value = EXCLUDED.value`,
        [height, c.name, c.kind, c.owner, c.value],
      );
    }
    if (v.name.length > 0) {
      await tx.query(
        `INSERT INTO component_versions (name, version, status, published_height, value)
         SELECT n, ve, s, h, decode(v,'hex') FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) AS x(n, ve, s, h, v)
         ON CONFLICT (name, version) DO UPDATE SET status = EXCLUDED.status, value = EXCLUDED.value`,
        [v.name, v.version, v.status, v.published, v.value],
      );
    }
    if (r.component.length > 0) {
      await tx.query(
        `INSERT INTO reviews (component, reviewer, updated_height, value)
         SELECT c, r, $1, decode(v,'hex') FROM unnest($2::text[], $3::text[], $4::text[]) AS x(c, r, v)
         ON CONFLICT (component, reviewer) DO UPDATE SET updated_height = EXCLUDED.updated_height, value = EXCLUDED.value`,
        [height, r.component, r.reviewer, r.value],
      );
    }
    if (p.id.length > 0) {
      await tx.query(
        `INSERT INTO abuse_reports (id, component, status, created_height, value)
         SELECT i, c, s, h, decode(v,'hex') FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) AS x(i, c, s, h, v)
         ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, value = EXCLUDED.value`,
        [p.id, p.component, p.status, p.created, p.value],
      );
    }
    if (u.component.length > 0) {
      await tx.query(
        `INSERT INTO component_usage (component, account, value)
         SELECT c, a, decode(v,'hex') FROM unnest($1::text[], $2::text[], $3::text[]) AS x(c, a, v)
         ON CONFLICT (component, account) DO UPDATE SET value = EXCLUDED.value`,
        [u.component, u.account, u.value],
      );
    }
  }
}

function push<T extends Record<string, unknown[]>>(columns: T, row: { [K in keyof T]: T[K][number] }): void {
  for (const key of Object.keys(columns) as (keyof T)[]) (columns[key] as unknown[]).push(row[key]);
}
