import { parseDid } from '@arc/core';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { AccountView, historyPaging } from '../../../../../explorer/account-view.tsx';
import { nodeApi } from '../../../../../explorer/node-api.ts';
import { MalformedInput } from '../../../../../explorer/page-shell.tsx';

interface Props {
  params: Promise<{ did: string }>;
  searchParams: Promise<{ cursor?: string | string[]; back?: string | string[] }>;
}

const CURSOR = /^\d{1,15}:\d{1,6}$/;
/** Pages of history the URL remembers for "Newer"; past this, Newer goes to the newest page. */
const backPagesMax = 50;
const historyPageSize = 20;
const assetsShownMax = 50;

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { did } = await params;
  return { title: `Account ${decodeURIComponent(did).slice(0, 20)}… · Explorer` };
}

export default async function AccountPage({ params, searchParams }: Props) {
  const did = decodeURIComponent((await params).did);
  const parsed = parseDid(did);
  if (!parsed.ok) {
    return (
      <MalformedInput
        what="DID"
        value={did}
        problem={`did:abt: addresses are base58 after did:abt:z… Here ${parsed.reason}.`}
        example="did:abt:z1dnS1Hky3TjS7DK8JFjV7zoKb68Y1R4EjN"
      />
    );
  }
  const query = await searchParams;
  const single = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const rawCursor = single(query.cursor);
  const cursor = rawCursor && CURSOR.test(rawCursor) ? rawCursor : undefined;
  const back = cursor
    ? (single(query.back) ?? '')
        .split(',')
        .filter((c) => c === '-' || CURSOR.test(c))
        .slice(-backPagesMax)
    : [];
  const api = nodeApi();
  const [account, history, assets] = await Promise.all([
    api.account.get.query({ did }),
    api.tx.listByAccount.query({ did, cursor, limit: historyPageSize }),
    api.asset.listByOwner.query({ owner: did, limit: assetsShownMax }),
  ]);
  // A DID that never held anything and appears in no transaction is unknown to this chain.
  if (!account.exists && history.items.length === 0 && cursor === undefined) notFound();
  return (
    <AccountView
      account={account}
      history={history}
      paging={historyPaging(did, cursor, back, history.nextCursor)}
      assets={assets.items}
      moreAssets={assets.nextCursor !== null}
    />
  );
}
