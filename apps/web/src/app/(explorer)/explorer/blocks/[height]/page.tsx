import type { Metadata } from 'next';
import { BlockView, blockTxsShownMax } from '../../../../../explorer/block-view.tsx';
import { nodeApi, orNotFound } from '../../../../../explorer/node-api.ts';
import { MalformedInput } from '../../../../../explorer/page-shell.tsx';

interface Props {
  params: Promise<{ height: string }>;
}

const HEIGHT = /^\d{1,15}$/;

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { height } = await params;
  return { title: `Block ${height} · Explorer` };
}

export default async function BlockPage({ params }: Props) {
  const { height: raw } = await params;
  const text = decodeURIComponent(raw).replaceAll(',', '');
  if (!HEIGHT.test(text)) {
    return <MalformedInput what="block height" value={raw} problem="A block height is a whole number, 0 or more." example="42" />;
  }
  const height = Number(text);
  const api = nodeApi();
  const [block, seal, chain] = await Promise.all([
    orNotFound(api.block.byHeight.query({ height })),
    orNotFound(api.block.seal.query({ height })),
    api.chain.info.query(),
  ]);
  // The block's transactions: the newest-first list read from just after the block, kept while in the block.
  const txs =
    block.txCount === 0
      ? []
      : (await api.tx.list.query({ cursor: `${height + 1}:0`, limit: Math.min(block.txCount, blockTxsShownMax) })).items
          .filter((tx) => tx.height === height)
          .reverse();
  return <BlockView block={block} seal={seal} txs={txs} headHeight={chain.height} />;
}
