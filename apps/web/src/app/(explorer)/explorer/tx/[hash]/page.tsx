import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { parseHash } from '../../../../../explorer/format.ts';
import { nodeApi, orNull } from '../../../../../explorer/node-api.ts';
import { MalformedInput } from '../../../../../explorer/page-shell.tsx';
import { type TxState, txStateOf } from '../../../../../explorer/tx-state.ts';
import { type TokenInfo, TxView } from '../../../../../explorer/tx-view.tsx';

interface Props {
  params: Promise<{ hash: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { hash } = await params;
  return { title: `Transaction ${hash.slice(0, 10)}… · Explorer` };
}

export default async function TxPage({ params }: Props) {
  const { hash: raw } = await params;
  const hash = parseHash(decodeURIComponent(raw));
  if (!hash) {
    return (
      <MalformedInput
        what="transaction hash"
        value={decodeURIComponent(raw)}
        problem={`A transaction hash is 64 hexadecimal characters (0-9, a-f); this is ${decodeURIComponent(raw).length} characters.`}
        example="3f2a…(64 characters)…9c1d"
      />
    );
  }
  const api = nodeApi();
  const status = await api.tx.byHash.query({ hash });
  if (status.status === 'unknown') notFound();
  const state: TxState = txStateOf(status);
  const tx = status.tx;
  const itx = tx?.itx;
  const tokenAddresses =
    itx?.type === 'transfer' ? itx.tokens.map((t) => t.token) : itx?.type === 'mintToken' || itx?.type === 'burnToken' ? [itx.token] : [];
  const [events, ...tokenList] = await Promise.all([
    tx ? orNull(api.tx.events.query({ hash })) : null,
    ...tokenAddresses.map((address) => orNull(api.token.get.query({ address }))),
  ]);
  // A settlement's period is shown with its dates: the period length is the chain's.
  const chain = itx?.type === 'settle' ? await api.chain.info.query().catch(() => null) : null;
  const tokens = new Map<string, TokenInfo>();
  for (const token of tokenList) if (token) tokens.set(token.address, { symbol: token.symbol, decimals: token.decimals });
  return (
    <TxView
      hash={hash}
      state={state}
      tx={tx}
      events={events?.events ?? []}
      tokens={tokens}
      billingPeriodMs={chain?.params.economy.billingPeriodMs ?? null}
    />
  );
}
