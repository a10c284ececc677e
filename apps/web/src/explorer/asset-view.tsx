import { CopyButton, KeyValueList } from '@arc/ui';
import type { RouterOutputs } from '../trpc/types.ts';
import { AccountLink, BlockLink } from './links.tsx';
import { ExplorerPage, Section } from './page-shell.tsx';
import { TxTable } from './tx-table.tsx';
import { AssetData } from './tx-view.tsx';

type Asset = RouterOutputs['asset']['get'];
type Tx = RouterOutputs['tx']['list']['items'][number];

/** An asset (a non-fungible thing on the ledger): who owns it, who issued it, its data and its history. */
export function AssetView({ asset, history }: { asset: Asset; history: Tx[] }) {
  return (
    <ExplorerPage
      kicker="Asset"
      title={asset.moniker || 'Unnamed asset'}
      subtitle={
        <span className="inline-flex max-w-full items-start gap-1">
          <span className="font-mono break-all">{asset.address}</span>
          <CopyButton value={asset.address} label="asset address" className="-my-1 shrink-0" />
        </span>
      }
    >
      <Section title="Overview">
        <KeyValueList
          items={[
            { label: 'Name', value: asset.moniker || '—' },
            { label: 'Owner', value: <AccountLink did={asset.owner} full /> },
            { label: 'Issuer', value: <AccountLink did={asset.issuer} full /> },
            { label: 'Data', value: <AssetData hex={asset.data} /> },
            { label: 'Transferable', value: asset.transferable ? 'yes' : 'no, bound to its owner' },
            { label: 'Read-only', value: asset.readonly ? 'yes, its data cannot change' : 'no' },
            { label: 'Consumed', value: asset.consumed ? 'yes, used up' : 'no' },
            { label: 'Created in block', value: <BlockLink height={asset.createdAtHeight} /> },
            { label: 'Last changed in block', value: <BlockLink height={asset.updatedAtHeight} /> },
          ]}
        />
      </Section>
      <Section title="History" aside="its creation and its latest change">
        <TxTable
          label="Asset history"
          txs={history}
          empty={{ title: 'No transactions found', description: 'The blocks that created and changed this asset hold none that name it.' }}
        />
      </Section>
    </ExplorerPage>
  );
}

/** True when the transaction names the asset: creates it (its address derives from the hash), moves, changes or uses it. */
export function touchesAsset(tx: Tx, address: string, createdAddress: (hash: string) => string): boolean {
  const itx = tx.itx;
  if (itx.type === 'createAsset') return createdAddress(tx.hash) === address;
  if (itx.type === 'transfer') return itx.assets.includes(address);
  if (itx.type === 'updateAsset' || itx.type === 'consumeAsset') return itx.address === address;
  return false;
}
