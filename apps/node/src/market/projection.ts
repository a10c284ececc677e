import { decodeAccount, decodeComponent, decodeComponentVersion, decodeReport, decodeReview, decodeUsage, toHex } from '@arc/core';
import type { Sql } from '../db/client.ts';

/** What a batch of transactions changed beyond whole components: the entries to re-read. */
export interface Scope {
  /** [component, reviewer] of reviews written or replied to. */
  reviewPairs: Map<string, [string, string]>;
  /** [component, account] of usage entries the batch added to. */
  usagePairs: Map<string, [string, string]>;
  /** Components whose reports changed. */
  reports: Set<string>;
  /** Components whose every review is re-read (a resolved report may hide one). */
  allReviews: Set<string>;
  /** Components with a new version: their search document is rebuilt. */
  documents: Set<string>;
}

/** The text search document of a component: name (A), description and categories (B), README (C). */
export const DOCUMENT_SQL = `setweight(to_tsvector('english', replace(c.name, '-', ' ')), 'A')
  || setweight(to_tsvector('english', c.description || ' ' || array_to_string(c.categories, ' ')), 'B')
  || setweight(to_tsvector('english', coalesce((SELECT t.text FROM market_texts t WHERE t.hash = c.readme_hash), '')), 'C')`;

/**
 * Adds the words of the components matching `where` (on `c`) to the vocabulary typos are corrected against: the
 * unstemmed words of the same texts as the document, letters only, 3 to 32 of them (the 0010 migration filled it
 * for the components indexed before it). Words stay when a text changes: a stale one corrects a typo to a word that
 * then finds nothing, which is what the search says anyway.
 */
export function wordsSql(where: string): string {
  return `INSERT INTO market_words (word)
    SELECT DISTINCT w FROM market_components c,
      unnest(tsvector_to_array(to_tsvector('simple', replace(c.name, '-', ' ') || ' ' || c.description || ' ' || array_to_string(c.categories, ' ')
        || ' ' || coalesce((SELECT t.text FROM market_texts t WHERE t.hash = c.readme_hash), '')))) AS w
    WHERE (${where}) AND w ~ '^[[:alpha:]]{3,32}$'
    ON CONFLICT DO NOTHING`;
}

/**
 * Re-reads the ledger's entries of these components (and the reviews, reports and usage the batch wrote) into the
 * market's read-model tables, in the index's SQL transaction.
 */
export async function projectEntries(sql: Sql, names: string[], txHashOf: Map<string, string>, scope: Scope): Promise<void> {
  const reviewPairs = [...scope.reviewPairs.values()];
  const usagePairs = [...scope.usagePairs.values()];
  const none = Promise.resolve([] as { value: Uint8Array }[]);
  const [components, versions, reviews, reports, usage] = await Promise.all([
    names.length > 0 ? sql.query<{ value: Uint8Array }>('SELECT value FROM components WHERE name = ANY($1::text[])', [names]) : none,
    names.length > 0
      ? sql.query<{ value: Uint8Array }>('SELECT value FROM component_versions WHERE name = ANY($1::text[])', [names])
      : none,
    reviewPairs.length > 0 || scope.allReviews.size > 0
      ? sql.query<{ value: Uint8Array }>(
          'SELECT value FROM reviews WHERE (component, reviewer) IN (SELECT * FROM unnest($1::text[], $2::text[])) OR component = ANY($3::text[])',
          [reviewPairs.map((p) => p[0]), reviewPairs.map((p) => p[1]), [...scope.allReviews]],
        )
      : none,
    scope.reports.size > 0
      ? sql.query<{ value: Uint8Array }>('SELECT value FROM abuse_reports WHERE component = ANY($1::text[])', [[...scope.reports]])
      : none,
    usagePairs.length > 0
      ? sql.query<{ value: Uint8Array }>(
          'SELECT value FROM component_usage WHERE (component, account) IN (SELECT * FROM unnest($1::text[], $2::text[]))',
          [usagePairs.map((p) => p[0]), usagePairs.map((p) => p[1])],
        )
      : none,
  ]);
  const componentStates = components.map((row) => decodeComponent(row.value));
  const versionStates = versions.map((row) => decodeComponentVersion(row.value));
  const reviewStates = reviews.map((row) => decodeReview(row.value));
  const heights = new Set<number>();
  for (const c of componentStates) heights.add(c.createdAtHeight).add(c.updatedAtHeight);
  for (const v of versionStates) heights.add(v.publishedAtHeight);
  for (const r of reviewStates) {
    heights.add(r.createdAtHeight).add(r.updatedAtHeight);
    if (r.reply) heights.add(r.reply.atHeight);
  }
  const times = await sql.query<{ height: number; time_ms: number }>(
    'SELECT height::float8 AS height, time_ms::float8 AS time_ms FROM blocks WHERE height = ANY($1::bigint[])',
    [[...heights]],
  );
  const timeAt = new Map(times.map((row) => [row.height, row.time_ms]));
  const msAt = (height: number) => timeAt.get(height) ?? 0;
  const owners = [...new Set(componentStates.map((c) => c.owner))];
  const accountRows = await sql.query<{ value: Uint8Array }>('SELECT value FROM accounts WHERE did = ANY($1::text[])', [owners]);
  const monikerOf = new Map(accountRows.map((row) => decodeAccount(row.value)).map((a) => [a.did, a.moniker]));

  if (versionStates.length > 0) {
    await sql.query(
      `INSERT INTO market_versions (name, version, release_notes, manifest_hash, bundle_hash, readme_hash, published_by, published_at_ms, height, tx_hash, status, status_reason)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::text[], $11::text[], $12::text[])
       ON CONFLICT (name, version) DO UPDATE SET status = EXCLUDED.status, status_reason = EXCLUDED.status_reason,
         tx_hash = CASE WHEN EXCLUDED.tx_hash = '' THEN market_versions.tx_hash ELSE EXCLUDED.tx_hash END`,
      [
        versionStates.map((v) => v.name),
        versionStates.map((v) => v.version),
        versionStates.map((v) => v.releaseNotes),
        versionStates.map((v) => toHex(v.manifestHash)),
        versionStates.map((v) => toHex(v.bundleHash)),
        versionStates.map((v) => toHex(v.readmeHash)),
        versionStates.map((v) => v.publishedBy),
        versionStates.map((v) => msAt(v.publishedAtHeight)),
        versionStates.map((v) => v.publishedAtHeight),
        versionStates.map((v) => txHashOf.get(`v/${v.name}/${v.version}`) ?? ''),
        versionStates.map((v) => v.status),
        versionStates.map((v) => v.statusReason),
      ],
    );
  }
  const versionOf = new Map(versionStates.map((v) => [`${v.name}/${v.version}`, v]));
  const firstPublishMs = new Map<string, number>();
  for (const v of versionStates) {
    const ms = msAt(v.publishedAtHeight);
    firstPublishMs.set(v.name, Math.min(firstPublishMs.get(v.name) ?? ms, ms));
  }
  const cs = componentStates.flatMap((c) => {
    const latest = versionOf.get(`${c.name}/${c.latestVersion}`);
    return latest ? [{ c, latest }] : [];
  });
  if (cs.length > 0) {
    await sql.query(
      `INSERT INTO market_components (name, kind, owner, owner_moniker, publisher, description, latest_version, categories, chains, price_model,
         price_amount, stake, manifest_hash, bundle_hash, readme_hash, beneficiaries, deprecated, created_height, published_at_ms, updated_at_ms, document)
       SELECT u.name, u.kind, u.owner, u.moniker, u.publisher, u.description, u.latest, ARRAY(SELECT jsonb_array_elements_text(u.categories)),
         ARRAY(SELECT jsonb_array_elements_text(u.chains)), u.price_model, u.price_amount::numeric, u.stake::numeric, u.manifest_hash, u.bundle_hash,
         u.readme_hash, u.beneficiaries, u.deprecated = 'true', u.created_height, u.published_at_ms, u.updated_at_ms, ''::tsvector
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::jsonb[], $10::text[],
         $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::jsonb[], $17::text[], $18::bigint[], $19::bigint[], $20::bigint[])
         AS u(name, kind, owner, moniker, publisher, description, latest, categories, chains, price_model, price_amount, stake, manifest_hash,
           bundle_hash, readme_hash, beneficiaries, deprecated, created_height, published_at_ms, updated_at_ms)
       ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, owner = EXCLUDED.owner, owner_moniker = EXCLUDED.owner_moniker,
         publisher = EXCLUDED.publisher, description = EXCLUDED.description, latest_version = EXCLUDED.latest_version,
         categories = EXCLUDED.categories, chains = EXCLUDED.chains, price_model = EXCLUDED.price_model, price_amount = EXCLUDED.price_amount,
         stake = EXCLUDED.stake, manifest_hash = EXCLUDED.manifest_hash, bundle_hash = EXCLUDED.bundle_hash, readme_hash = EXCLUDED.readme_hash,
         beneficiaries = EXCLUDED.beneficiaries, deprecated = EXCLUDED.deprecated, updated_at_ms = EXCLUDED.updated_at_ms`,
      [
        cs.map(({ c }) => c.name),
        cs.map(({ c }) => c.kind),
        cs.map(({ c }) => c.owner),
        cs.map(({ c }) => monikerOf.get(c.owner) ?? ''),
        cs.map(({ c }) => c.publisher),
        cs.map(({ latest }) => latest.description),
        cs.map(({ c }) => c.latestVersion),
        cs.map(({ latest }) => JSON.stringify(latest.categories)),
        cs.map(({ latest }) => JSON.stringify(latest.chains)),
        cs.map(({ latest }) => latest.price.model),
        cs.map(({ latest }) => latest.price.amount.toString()),
        cs.map(({ c }) => c.stake.toString()),
        cs.map(({ latest }) => toHex(latest.manifestHash)),
        cs.map(({ latest }) => toHex(latest.bundleHash)),
        cs.map(({ latest }) => toHex(latest.readmeHash)),
        cs.map(({ latest }) => JSON.stringify(latest.beneficiaries)),
        cs.map(({ latest }) => (latest.status !== 'active' ? 'true' : 'false')),
        cs.map(({ c }) => c.createdAtHeight),
        cs.map(({ c }) => firstPublishMs.get(c.name) ?? msAt(c.createdAtHeight)),
        cs.map(({ latest }) => msAt(latest.publishedAtHeight)),
      ],
    );
    const changed = [cs.map(({ c }) => c.name)];
    await sql.query(`UPDATE market_components c SET document = ${DOCUMENT_SQL} WHERE c.name = ANY($1::text[])`, changed);
    await sql.query(wordsSql('c.name = ANY($1::text[])'), changed);
  }
  if (reviewStates.length > 0) {
    await sql.query(
      `INSERT INTO market_reviews (component, reviewer, stars, text_hash, revision, created_at_ms, updated_at_ms, hidden, reply_hash, reply_at_ms, tx_hash)
       SELECT u.c, u.r, u.stars, u.th, u.rev, u.ca, u.ua, u.hidden = 'true', u.rh, u.ra, u.tx
       FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::int[], $6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::bigint[], $11::text[])
         AS u(c, r, stars, th, rev, ca, ua, hidden, rh, ra, tx)
       ON CONFLICT (component, reviewer) DO UPDATE SET stars = EXCLUDED.stars, text_hash = EXCLUDED.text_hash, revision = EXCLUDED.revision,
         updated_at_ms = EXCLUDED.updated_at_ms, hidden = EXCLUDED.hidden, reply_hash = EXCLUDED.reply_hash, reply_at_ms = EXCLUDED.reply_at_ms,
         tx_hash = CASE WHEN EXCLUDED.tx_hash = '' THEN market_reviews.tx_hash ELSE EXCLUDED.tx_hash END`,
      [
        reviewStates.map((r) => r.component),
        reviewStates.map((r) => r.reviewer),
        reviewStates.map((r) => r.stars),
        reviewStates.map((r) => toHex(r.textHash)),
        reviewStates.map((r) => r.revision),
        reviewStates.map((r) => msAt(r.createdAtHeight)),
        reviewStates.map((r) => msAt(r.updatedAtHeight)),
        reviewStates.map((r) => (r.hidden ? 'true' : 'false')),
        reviewStates.map((r) => (r.reply ? toHex(r.reply.textHash) : null)),
        reviewStates.map((r) => (r.reply ? msAt(r.reply.atHeight) : null)),
        reviewStates.map((r) => txHashOf.get(`r/${r.component}/${r.reviewer}`) ?? ''),
      ],
    );
  }
  const reportStates = reports.map((row) => decodeReport(row.value));
  if (reportStates.length > 0) {
    await sql.query(
      `INSERT INTO market_reports (id, component, reviewer, status) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status`,
      [
        reportStates.map((r) => r.id),
        reportStates.map((r) => r.component),
        reportStates.map((r) => r.reviewer),
        reportStates.map((r) => r.status),
      ],
    );
  }
  const usageStates = usage.map((row) => decodeUsage(row.value));
  if (usageStates.length > 0) {
    await sql.query(
      `INSERT INTO market_account_usage (component, account, calls, installs, paid)
       SELECT u.c, u.a, u.calls, u.installs, u.paid::numeric FROM unnest($1::text[], $2::text[], $3::bigint[], $4::int[], $5::text[]) AS u(c, a, calls, installs, paid)
       ON CONFLICT (component, account) DO UPDATE SET calls = EXCLUDED.calls, installs = EXCLUDED.installs, paid = EXCLUDED.paid`,
      [
        usageStates.map((u) => u.component),
        usageStates.map((u) => u.account),
        usageStates.map((u) => u.calls),
        usageStates.map((u) => u.installs),
        usageStates.map((u) => u.paid.toString()),
      ],
    );
  }
  await sql.query(
    `UPDATE market_components c SET installs = coalesce((SELECT sum(installs) FROM market_account_usage u WHERE u.component = c.name), 0),
       upheld_reports = (SELECT count(*) FROM market_reports r WHERE r.component = c.name AND r.reviewer = '' AND r.status = 'upheld')
     WHERE c.name = ANY($1::text[])`,
    [[...new Set([...scope.reports, ...usagePairs.map((p) => p[0])])]],
  );
}
