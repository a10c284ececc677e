'use client';

import { Button, EmptyState, Field, formatAmount, Hash, Input, Panel, Skeleton } from '@arc/ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { toast } from '../../components/toast.tsx';
import { BridgeBooksPanel, isNoBridge } from '../../economy/bridge-books.tsx';
import { useTRPC } from '../../trpc/react.tsx';
import { isClientErrorCode } from '../client-error.ts';
import { useWallet } from '../wallet-provider.tsx';
import { type BridgeChain, bridgeRefusal, confirmationsWords, lockIdOf, parseEthAddress, sendBridgeLock } from './bridge-actions.ts';
import { type BridgeTransferRow, BridgeTransfers } from './bridge-transfers.tsx';
import { parseStakeAmount } from './stake-actions.ts';
import { RequireUnlocked, WalletFrame } from './wallet-frame.tsx';

/** How often the page asks the bridge how its transfers move (a block a second on the e2e anvil). */
const BRIDGE_POLL_MS = 1_000;

/** /wallet/bridge: lock ABT on Arc for as much ERC-20 on Ethereum, watch it mint, and see the way back. */
export function WalletBridge() {
  return (
    <WalletFrame
      title="Bridge to Ethereum"
      description="Lock ABT on Arc and the bridge mints as much ArcBridgedAbt (an ERC-20) to your Ethereum address; burn it there to get the ABT back."
    >
      <RequireUnlocked>
        <BridgeOverview />
      </RequireUnlocked>
    </WalletFrame>
  );
}

/** The lock this page sent, followed until it is minted. */
interface SentLock {
  lockId: string;
  amount: bigint;
  ethAddress: string;
}

function BridgeOverview() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const wallet = useWallet();
  const did = wallet.active?.did ?? '';
  const chain = useQuery(trpc.chain.info.queryOptions());
  const account = useQuery(trpc.account.get.queryOptions({ did }, { enabled: did !== '' }));
  const bridge = useQuery(
    trpc.economy.bridge.queryOptions(
      { account: did, limit: 20 },
      {
        enabled: did !== '',
        refetchInterval: (query) => (isNoBridge(query.state.error) ? false : BRIDGE_POLL_MS),
        retry: (n, e) => !isNoBridge(e) && n < 2,
      },
    ),
  );
  const [sent, setSent] = useState<SentLock | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);

  if (bridge.error && isNoBridge(bridge.error)) {
    return (
      <div className="rounded-xl bg-white shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
        <EmptyState
          title="This node runs no bridge"
          description="ABT cannot be moved to Ethereum through this node: it was started without a bridge. Your ABT stays on Arc."
        />
      </div>
    );
  }
  const error = chain.error ?? account.error ?? bridge.error;
  if (error) return <ErrorNotice error={error} onRetry={() => void Promise.all([chain.refetch(), account.refetch(), bridge.refetch()])} />;
  if (!chain.data || !account.data || !bridge.data) return <Skeleton className="h-96 w-full rounded-xl" />;

  const status = bridge.data;
  const rules: BridgeChain = {
    symbol: chain.data.nativeToken.symbol,
    decimals: chain.data.nativeToken.decimals,
    fee: BigInt(chain.data.params.minFee),
    confirmations: status.confirmations,
  };
  const t = (value: bigint | string) => `${formatAmount(value, rules.decimals)} ${rules.symbol}`;
  const balance = BigInt(account.data.balance);
  const rows = status.transfers as BridgeTransferRow[];

  async function lock(amount: bigint, ethAddress: string): Promise<boolean> {
    setFailure(null);
    const refused = bridgeRefusal(amount, balance, rules);
    if (refused) {
      setFailure(refused);
      return false;
    }
    setBusy(true);
    try {
      const result = await sendBridgeLock(wallet, amount, ethAddress, rules);
      setSent({ lockId: lockIdOf(result.hash), amount, ethAddress });
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: trpc.account.get.queryKey({ did }) }),
        queryClient.invalidateQueries({ queryKey: trpc.economy.bridge.queryKey() }),
      ]);
      toast({
        kind: 'success',
        title: 'Locked on Arc',
        body: `${t(amount)} will be minted on Ethereum after ${status.confirmations} confirmations.`,
      });
      return true;
    } catch (caught) {
      if (!isClientErrorCode(caught, 'CANCELLED')) setFailure(caught);
      return false;
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="space-y-6">
      <BridgeForm
        decimals={rules.decimals}
        hint={`You have ${t(balance)}; the fee is ${t(rules.fee)}.`}
        busy={busy}
        error={failure}
        onSubmit={lock}
        onEdit={() => setFailure(null)}
      />
      {sent ? (
        <LockProgress sent={sent} transfer={rows.find((r) => r.sourceId === sent.lockId)} t={t} required={status.confirmations} />
      ) : null}
      <Panel title="Bridge transfers" aside={`${rows.length} shown`}>
        <BridgeTransfers rows={rows} decimals={rules.decimals} symbol={rules.symbol} />
      </Panel>
      <div className="grid items-start gap-4 md:grid-cols-2">
        <BridgeBooksPanel books={status} t={t} />
        <WayBack contract={status.contract} chainId={status.chainId} did={did} confirmations={status.confirmations} />
      </div>
    </div>
  );
}

interface BridgeFormProps {
  decimals: number;
  hint: string;
  busy: boolean;
  error: unknown;
  onSubmit: (amount: bigint, ethAddress: string) => Promise<boolean>;
  onEdit: () => void;
}

/** The amount and the Ethereum address, each checked and said wrong in words before anything is signed. */
function BridgeForm({ decimals, hint, busy, error, onSubmit, onEdit }: BridgeFormProps) {
  const [amount, setAmount] = useState('');
  const [address, setAddress] = useState('');
  const [amountError, setAmountError] = useState<string | undefined>();
  const [addressError, setAddressError] = useState<string | undefined>();
  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsedAmount = parseStakeAmount(amount, decimals);
    const parsedAddress = parseEthAddress(address);
    setAmountError(typeof parsedAmount === 'string' ? parsedAmount : undefined);
    setAddressError('error' in parsedAddress ? parsedAddress.error : undefined);
    if (typeof parsedAmount === 'string' || 'error' in parsedAddress) return;
    if (await onSubmit(parsedAmount, parsedAddress.address)) setAmount('');
  }
  return (
    <form
      onSubmit={(e) => void submit(e)}
      noValidate
      aria-label="Bridge to Ethereum"
      className="flex flex-col gap-4 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
    >
      <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
        <Field label="Amount (ABT)" error={amountError} hint={hint}>
          <Input
            value={amount}
            onChange={(e) => {
              setAmount(e.target.value);
              setAmountError(undefined);
              onEdit();
            }}
            inputMode="decimal"
            placeholder="0.0"
            autoComplete="off"
          />
        </Field>
        <Field label="Ethereum address" error={addressError} hint="Where the ERC-20 is minted: 0x and 40 hex digits.">
          <Input
            value={address}
            onChange={(e) => {
              setAddress(e.target.value);
              setAddressError(undefined);
              onEdit();
            }}
            placeholder="0x…"
            autoComplete="off"
            spellCheck={false}
            className="font-mono"
          />
        </Field>
      </div>
      {error ? <ErrorNotice error={error} /> : null}
      <Button type="submit" className="w-full sm:w-auto sm:self-start" loading={busy}>
        Bridge to Ethereum
      </Button>
    </form>
  );
}

const STEPS = ['Locked on Arc', 'Minting', 'Minted'] as const;

/** The sent lock, live: Locked on Arc → Minting (k of N confirmations) → Minted, with the Ethereum transaction. */
function LockProgress({
  sent,
  transfer,
  t,
  required,
}: {
  sent: SentLock;
  transfer: BridgeTransferRow | undefined;
  t: (value: bigint | string) => string;
  required: number;
}) {
  const status = transfer?.status ?? 'locked';
  const stuck = status === 'refused' || status === 'failed' || status === 'reorged';
  const step = status === 'minted' ? 2 : status === 'minting' ? 1 : 0;
  const line =
    status === 'minted'
      ? `Minted: ${t(sent.amount)} on Ethereum at ${sent.ethAddress}.`
      : status === 'minting'
        ? `Minting: ${confirmationsWords(transfer?.confirmations ?? 0, transfer?.confirmationsRequired ?? required)}.`
        : stuck
          ? `The bridge stopped this transfer: ${transfer?.reason ?? status}.`
          : 'Locked on Arc: the signers are signing the mint.';
  return (
    <section
      aria-label="This transfer"
      className="space-y-3 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
    >
      <ol className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm">
        {STEPS.map((label, index) => (
          <li key={label} className="flex items-center gap-2">
            <span
              className={`inline-flex size-6 items-center justify-center rounded-full text-xs font-semibold ${
                index < step || status === 'minted'
                  ? 'bg-emerald-600 text-white'
                  : index === step && !stuck
                    ? 'bg-indigo-600 text-white'
                    : 'bg-slate-200 text-slate-600 dark:bg-slate-700 dark:text-slate-300'
              }`}
              aria-hidden
            >
              {index < step || status === 'minted' ? '✓' : index + 1}
            </span>
            <span className={index === step ? 'font-semibold text-slate-900 dark:text-slate-100' : 'text-slate-600 dark:text-slate-400'}>
              {label}
            </span>
            {index < STEPS.length - 1 ? (
              <span aria-hidden className="text-slate-400">
                →
              </span>
            ) : null}
          </li>
        ))}
      </ol>
      <p
        role="status"
        data-testid="bridge-progress"
        className={`text-sm font-medium [overflow-wrap:anywhere] ${stuck ? 'text-red-700 dark:text-red-300' : 'text-slate-800 dark:text-slate-200'}`}
      >
        {line}
      </p>
      {transfer?.ethTxHash ? (
        <p className="flex min-w-0 flex-wrap items-center gap-x-2 text-sm text-slate-600 dark:text-slate-400">
          Ethereum transaction <Hash value={transfer.ethTxHash} head={10} tail={8} label="Ethereum transaction hash" />
        </p>
      ) : null}
    </section>
  );
}

/** How ERC-20 comes back to Arc: burn it on the contract naming your DID; released after N confirmations. */
function WayBack({ contract, chainId, did, confirmations }: { contract: string; chainId: string; did: string; confirmations: number }) {
  return (
    <Panel title="The way back">
      <div className="space-y-2 px-4 py-3 text-sm text-slate-700 dark:text-slate-300">
        <p>
          From your Ethereum account, call <code className="font-mono text-xs">burnToArc(amount, yourDid)</code> on the ArcBridgedAbt
          contract below. Once the burn is {confirmations} confirmations deep, the bridge releases as much ABT to that DID.
        </p>
        <p className="flex min-w-0 flex-wrap items-center gap-x-2">
          <span className="text-slate-500 dark:text-slate-400">Contract ({chainId})</span>
          <Hash value={contract} head={10} tail={8} label="contract address" />
        </p>
        <p className="flex min-w-0 flex-wrap items-center gap-x-2">
          <span className="text-slate-500 dark:text-slate-400">Your DID</span>
          <Hash value={did} head={8} tail={6} label="your DID" />
        </p>
      </div>
    </Panel>
  );
}
