import type { Sql } from '../db/client.ts';
import { hex } from './hex.ts';
import { toJsonValue } from './json.ts';
import type { CommitBlock } from './store.ts';

/** A block's transaction rows (`txs`, and `tx_accounts` for each account's history), in block order. */
export async function insertTxs(tx: Sql, b: CommitBlock): Promise<void> {
  if (b.txs.length === 0) return;
  const cols = { hash: [] as string[], idx: [] as number[], from: [] as string[], nonce: [] as number[], type: [] as string[] };
  const more = {
    fee: [] as string[],
    payer: [] as (string | null)[],
    accounts: [] as string[],
    bytes: [] as string[],
    failedCode: [] as (string | null)[],
    failedMessage: [] as (string | null)[],
  };
  const links = { did: [] as string[], idx: [] as number[] };
  const events: unknown[] = [];
  b.txs.forEach(({ checked, accounts, events: txEvents, failed }, i) => {
    const t = checked.tx;
    cols.hash.push(checked.hashHex);
    cols.idx.push(i);
    cols.from.push(t.from);
    cols.nonce.push(t.nonce);
    cols.type.push(t.itx.type);
    more.fee.push(t.fee.toString());
    more.payer.push(t.feePayer?.did ?? null);
    more.accounts.push(accounts.join(','));
    more.bytes.push(hex(checked.bytes));
    events.push(toJsonValue(txEvents));
    more.failedCode.push(failed?.code ?? null);
    more.failedMessage.push(failed?.message ?? null);
    for (const did of accounts) {
      links.did.push(did);
      links.idx.push(i);
    }
  });
  await tx.query(
    `INSERT INTO txs (hash, height, idx, from_did, nonce, type, fee, fee_payer, accounts, bytes, events, failed_code, failed_message)
     SELECT decode(h,'hex'), $1, i, f, n, ty, fee::numeric, fp, string_to_array(acc, ','), decode(b,'hex'), e.ev, fc, fm
     FROM unnest($2::text[], $3::int[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
       $12::text[], $13::text[]) WITH ORDINALITY AS x(h, i, f, n, ty, fee, fp, acc, b, fc, fm, k)
     JOIN json_array_elements($11::json) WITH ORDINALITY AS e(ev, k) USING (k)`,
    [
      b.header.height,
      cols.hash,
      cols.idx,
      cols.from,
      cols.nonce,
      cols.type,
      more.fee,
      more.payer,
      more.accounts,
      more.bytes,
      // One JSON document, not a text[] of them: quotes in a text[] literal are escaped on the way in and
      // parsed back out, a third of the insert of a settlement's rows with their 20 KB of events each.
      JSON.stringify(events),
      more.failedCode,
      more.failedMessage,
    ],
  );
  await tx.query(`INSERT INTO tx_accounts (did, height, idx) SELECT d, $1, i FROM unnest($2::text[], $3::int[]) AS x(d, i)`, [
    b.header.height,
    links.did,
    links.idx,
  ]);
}

/** Records of what a block rejected or dropped from the mempool (`rejected_txs`), so a sender can learn why. */
export async function insertRejected(tx: Sql, rejected: CommitBlock['rejected'], atMs: number): Promise<void> {
  if (rejected.length === 0) return;
  await tx.query(
    `INSERT INTO rejected_txs (hash, code, message, at_ms)
     SELECT decode(h,'hex'), c, m, $1 FROM unnest($2::text[], $3::text[], $4::text[]) AS x(h, c, m)
     ON CONFLICT (hash) DO UPDATE SET code = EXCLUDED.code, message = EXCLUDED.message, at_ms = EXCLUDED.at_ms`,
    [atMs, rejected.map((r) => r.hashHex), rejected.map((r) => r.code), rejected.map((r) => r.message)],
  );
}
