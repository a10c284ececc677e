import type { Metadata } from 'next';
import type { BlockConsensus } from '../../../../../explorer/block-consensus.tsx';
import { BlockView, blockTxsShownMax } from '../../../../../explorer/block-view.tsx';
import { type NodeApi, nodeApi, orNotFound, orNull } from '../../../../../explorer/node-api.ts';
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
  const [block, seal, chain, consensus] = await Promise.all([
    orNotFound(api.block.byHeight.query({ height })),
    orNotFound(api.block.seal.query({ height })),
    api.chain.info.query(),
    blockConsensus(api, height),
  ]);
  // The block's transactions: the newest-first list read from just after the block, kept while in the block.
  const txs =
    block.txCount === 0
      ? []
      : (await api.tx.list.query({ cursor: `${height + 1}:0`, limit: Math.min(block.txCount, blockTxsShownMax) })).items
          .filter((tx) => tx.height === height)
          .reverse();
  return <BlockView block={block} seal={seal} txs={txs} headHeight={chain.height} consensus={consensus} />;
}

/**
 * The block's vote certificate and the validators it is weighed against, on a chain run by validators; null on a
 * one-node chain (no validators in its genesis, and its blocks have no certificate: the node answers NOT_FOUND).
 */
async function blockConsensus(api: NodeApi, height: number): Promise<BlockConsensus | null> {
  const [status, certificate] = await Promise.all([
    api.consensus.status.query(),
    // The genesis block is not voted on; the node takes heights from 1.
    height === 0 ? null : orNull(api.consensus.certificate.query({ height })),
  ]);
  if (status.validators.length === 0) return null;
  return { certificate, validators: status.validators };
}
