import { parseDid } from '@arc/core';
import type { Metadata } from 'next';
import { explorerPaths } from '../../../../../explorer/format.ts';
import { nodeApi, orNotFound } from '../../../../../explorer/node-api.ts';
import { MalformedInput } from '../../../../../explorer/page-shell.tsx';
import { type TokenHolders, TokenView } from '../../../../../explorer/token-view.tsx';

interface Props {
  params: Promise<{ address: string }>;
  searchParams: Promise<{ holders?: string | string[] }>;
}

/** The node's holders cursor: "<rank>:<balance>:<did>" (anything else shows the first page). */
const HOLDERS_CURSOR = /^\d{1,12}:\d{1,78}:did:abt:[1-9A-HJ-NP-Za-km-z]{1,60}$/;
const holdersPageSize = 25;

const SYMBOL = /^[A-Za-z0-9]{1,16}$/;

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { address } = await params;
  return { title: `Token ${decodeURIComponent(address).slice(0, 20)} · Explorer` };
}

export default async function TokenPage({ params, searchParams }: Props) {
  const address = decodeURIComponent((await params).address);
  const rawCursor = (await searchParams).holders;
  const cursor = typeof rawCursor === 'string' && HOLDERS_CURSOR.test(rawCursor) ? rawCursor : undefined;
  const api = nodeApi();
  // The native token has no address: its page is at its symbol, and so is any token's.
  if (!address.startsWith('did:') && SYMBOL.test(address)) {
    const symbol = address.toUpperCase();
    const chain = await api.chain.info.query();
    if (symbol === chain.nativeToken.symbol) {
      const { symbol: s, name, decimals, totalSupply } = chain.nativeToken;
      return (
        <TokenView
          token={{
            address: s,
            symbol: s,
            name,
            decimals,
            totalSupply,
            owner: null,
            createdAtHeight: 0,
            native: true,
            policy: 'fixed',
            cap: '0',
          }}
          createdBy={null}
          holders={null}
        />
      );
    }
    const token = await orNotFound(api.token.get.query({ symbol }));
    return <TokenView token={token} {...(await tokenDetails(api, token, cursor))} />;
  }
  const parsed = parseDid(address);
  if (!parsed.ok) {
    return (
      <MalformedInput
        what="token address"
        value={address}
        problem={`A token address is a DID, or the token's symbol. did:abt: addresses are base58 after did:abt:z… Here ${parsed.reason}.`}
        example="did:abt:z35nCbQGGhpm7E3DsHbw8QcfpYMJi2fjaHQ44"
      />
    );
  }
  const token = await orNotFound(api.token.get.query({ address }));
  return <TokenView token={token} {...(await tokenDetails(api, token, cursor))} />;
}

type Api = ReturnType<typeof nodeApi>;

/** What the page shows beyond the token itself: its creating transaction and a page of its holders. */
async function tokenDetails(
  api: Api,
  token: { address: string; symbol: string; createdAtHeight: number },
  cursor: string | undefined,
): Promise<{ createdBy: string | null; holders: TokenHolders }> {
  const [createdBy, page] = await Promise.all([
    creationTx(api, token.createdAtHeight, token.symbol),
    api.token.holders.query({ token: token.address, cursor, limit: holdersPageSize }),
  ]);
  const base = explorerPaths.token(token.address);
  return {
    createdBy,
    holders: {
      page,
      firstHref: cursor ? `${base}#holders` : undefined,
      nextHref: page.nextCursor ? `${base}?holders=${encodeURIComponent(page.nextCursor)}#holders` : undefined,
    },
  };
}

/** The createToken transaction of `symbol` in block `height` (bounded: one page of that block). */
async function creationTx(api: Api, height: number, symbol: string): Promise<string | null> {
  const page = await api.tx.list.query({ cursor: `${height + 1}:0`, limit: 100 });
  const tx = page.items.find((t) => t.height === height && t.itx.type === 'createToken' && t.itx.symbol === symbol);
  return tx?.hash ?? null;
}
