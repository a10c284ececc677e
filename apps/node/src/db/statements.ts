/**
 * Several data-changing statements sent as one: each becomes a part of one WITH query (PostgreSQL's data-modifying
 * WITH), so they cost one round trip and are atomic as one statement is, without BEGIN and COMMIT around them. The
 * parts run on one snapshot and do not see each other's changes: they must touch different rows (an ON CONFLICT
 * DO UPDATE may not reach the same row twice in one statement). Parameters are numbered on: each part's $1…$n
 * follow the ones before.
 */
import type { Sql } from './client.ts';

/** One statement and its parameters ($1…$n). */
export interface Statement {
  text: string;
  params: unknown[];
}

/** A statement of `text` with `params`. */
export function statement(text: string, params: unknown[]): Statement {
  return { text, params };
}

/** A parameter reference ($1, $2…): the statements here hold no dollar-quoted strings. */
const PARAMETER = /\$(\d+)/g;

/** The parts as one statement (null when there are none). Each part is an INSERT, UPDATE or DELETE without a `;`. */
export function asOneStatement(parts: Statement[]): Statement | null {
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0] as Statement;
  const params: unknown[] = [];
  const withs = parts.map((part, index) => {
    const offset = params.length;
    let highest = 0;
    const text = part.text.replace(PARAMETER, (_, n: string) => {
      highest = Math.max(highest, Number(n));
      return `$${Number(n) + offset}`;
    });
    if (highest !== part.params.length) {
      throw new Error(`statement part ${index} refers to ${highest} parameters but has ${part.params.length}`);
    }
    params.push(...part.params);
    return `part${index} AS (${text})`;
  });
  return { text: `WITH ${withs.join(',\n')}\nSELECT 1`, params };
}

/** Runs the parts as one statement (nothing when there are none). */
export async function runAsOne(sql: Sql, parts: Statement[]): Promise<void> {
  const one = asOneStatement(parts);
  if (one) await sql.query(one.text, one.params);
}
