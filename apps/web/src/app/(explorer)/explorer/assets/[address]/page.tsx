import { assetAddress, fromHex, parseDid } from '@arc/core';
import type { Metadata } from 'next';
import { AssetView, touchesAsset } from '../../../../../explorer/asset-view.tsx';
import { nodeApi, orNotFound } from '../../../../../explorer/node-api.ts';
import { MalformedInput } from '../../../../../explorer/page-shell.tsx';

interface Props {
  params: Promise<{ address: string }>;
}

/** Transactions read per block when looking for the asset's (one page, the node's maximum). */
const blockTxsReadMax = 100;

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { address } = await params;
  return { title: `Asset ${decodeURIComponent(address).slice(0, 20)}… · Explorer` };
}

export default async function AssetPage({ params }: Props) {
  const address = decodeURIComponent((await params).address);
  const parsed = parseDid(address);
  if (!parsed.ok) {
    return (
      <MalformedInput
        what="asset address"
        value={address}
        problem={`An asset address is a DID. did:abt: addresses are base58 after did:abt:z… Here ${parsed.reason}.`}
        example="did:abt:z2…(about 36 base58 characters)"
      />
    );
  }
  const api = nodeApi();
  const asset = await orNotFound(api.asset.get.query({ address }));
  // Its history, read from the blocks that created and last changed it (no index by asset yet).
  const heights = [...new Set([asset.updatedAtHeight, asset.createdAtHeight])];
  const pages = await Promise.all(heights.map((h) => api.tx.list.query({ cursor: `${h + 1}:0`, limit: blockTxsReadMax })));
  const created = (hash: string) => assetAddress(fromHex(hash));
  const history = pages
    .flatMap((page, i) => page.items.filter((tx) => tx.height === heights[i]))
    .filter((tx) => touchesAsset(tx, address, created));
  return <AssetView asset={asset} history={history} />;
}
