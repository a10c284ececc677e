'use client';

import { ClientError, isValidDid, parseAmount, TxFailedError } from '@arc/client';
import { Button, Field, formatAmount, Input, Select, Skeleton } from '@arc/ui';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { z } from 'zod';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { useTopic } from '../../realtime/provider.tsx';
import { useTRPC } from '../../trpc/react.tsx';
import { nodeClient } from '../node-client.ts';
import { useWallet } from '../wallet-provider.tsx';
import { RequireUnlocked, WalletFrame } from './wallet-frame.tsx';

/** The ledger's memo limit, in characters (a memo is UTF-8 text on the transaction). */
const MEMO_MAX_CHARS = 256;
const ASSET = '__asset__';
/** Commits of this account remembered from `account:<did>` for a send whose answer comes after its commit. */
const HEARD_COMMITS_MAX = 32;

/** What the form holds, checked before anything is signed (the DID with the ledger's own rule). */
export const SendFormSchema = z.object({
  to: z.string().trim().refine(isValidDid, 'This is not an account DID; it starts with did:abt: (copy it from the Receive page).'),
  what: z.string().min(1),
  amount: z.string().trim(),
  asset: z.string(),
  memo: z.string().max(MEMO_MAX_CHARS, `A memo holds at most ${MEMO_MAX_CHARS} characters.`),
});
type SendForm = z.infer<typeof SendFormSchema>;
type FieldErrors = Partial<Record<keyof SendForm, string>>;

/**
 * The account's next nonce, asked of the node (a proof-checked account read and its block: two round trips) while
 * the form is on screen, so Sign only signs and sends. Asked again after each send; a nonce some other wallet took
 * meanwhile is answered NONCE_TOO_LOW by the node and the send asks once more (the refused tx moved nothing).
 */
interface NonceAhead {
  did: string;
  nonce: Promise<number>;
}

function askNonce(did: string): NonceAhead {
  const nonce = nodeClient().nextNonce(did);
  // Not heard here: a failed ask is asked again, by the client itself, when Sign is clicked.
  nonce.catch(() => undefined);
  return { did, nonce };
}

/** The nonce asked ahead for this account, or undefined (the client then asks the node itself). */
async function nonceFor(ahead: NonceAhead | null, did: string): Promise<number | undefined> {
  if (ahead?.did !== did) return undefined;
  return ahead.nonce.catch(() => undefined);
}

export interface SentTx {
  hash: string;
  /** `failed`: in a block, but the transfer did not happen and its fee was charged. */
  status: 'pending' | 'committed' | 'failed' | 'rejected';
  height: number | null;
  error: ClientError | null;
  /** The fee it pays, formatted with its unit. */
  feeText: string;
}

/** The state of a sent transaction that failed in block `height` (fee charged, nothing moved). */
function failedTx(sent: SentTx, height: number, code: string, message: string): SentTx {
  return { ...sent, status: 'failed', height, error: new TxFailedError(sent.hash, height, code, message) };
}

interface HeardCommit {
  height: number;
  failed: { code: string; message: string } | null;
}

/** /wallet/send: ABT, an application token or an asset to one DID, confirmed in words, then followed live. */
export function WalletSend() {
  return (
    <WalletFrame title="Send" description="Move ABT, application tokens or an asset to another account.">
      <RequireUnlocked>
        <SendForm />
      </RequireUnlocked>
    </WalletFrame>
  );
}

function SendForm() {
  const trpc = useTRPC();
  const wallet = useWallet();
  const did = wallet.active?.did ?? '';
  const chain = useQuery(trpc.chain.info.queryOptions());
  const account = useQuery(trpc.account.get.queryOptions({ did }, { enabled: did !== '' }));
  const assets = useQuery(trpc.asset.listByOwner.queryOptions({ owner: did, limit: 100 }, { enabled: did !== '' }));
  const [form, setForm] = useState<SendForm>({ to: '', what: 'ABT', amount: '', asset: '', memo: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<SentTx | null>(null);
  const nonceAhead = useRef<NonceAhead | null>(null);
  const formShown = sent === null;
  useEffect(() => {
    if (did !== '' && formShown) nonceAhead.current = askNonce(did);
  }, [did, formShown]);
  // The account's room is joined before Sign (the header's account menu watches it too), so a send's commit is
  // heard here with no subscription to wait for, even when the block commits before the node's answer to tx.send.
  const heardCommits = useRef(new Map<string, HeardCommit>());
  const settleHeard = (s: SentTx, commit: HeardCommit): SentTx =>
    commit.failed
      ? failedTx(s, commit.height, commit.failed.code, commit.failed.message)
      : { ...s, status: 'committed', height: commit.height };
  useTopic(did === '' ? null : `account:${did}`, (event) => {
    const { hash, height, failed = null } = event.payload;
    const heard = heardCommits.current;
    heard.set(hash, { height, failed });
    for (const old of heard.keys()) if (heard.size > HEARD_COMMITS_MAX) heard.delete(old);
    setSent((s) => (s?.status === 'pending' && s.hash === hash ? settleHeard(s, { height, failed }) : s));
  });

  if (!chain.data || !account.data) {
    if (chain.error || account.error) return <ErrorNotice error={chain.error ?? account.error} />;
    return <Skeleton className="h-96 w-full rounded-xl" />;
  }
  const symbol = chain.data.nativeToken.symbol;
  const decimals = chain.data.nativeToken.decimals;
  const fee = BigInt(chain.data.params.minFee);
  const balance = BigInt(account.data.balance);
  const tokens = account.data.tokens;
  const ownedAssets = (assets.data?.items ?? []).filter((a) => a.transferable && !a.consumed);
  const token = tokens.find((t) => t.address === form.what);
  const options = [
    { value: 'ABT', label: `${symbol} · ${formatAmount(balance, decimals)} available` },
    ...tokens.map((t) => ({ value: t.address, label: `${t.symbol} · ${formatAmount(t.amount, t.decimals)} available` })),
    ...(ownedAssets.length ? [{ value: ASSET, label: `An asset (${ownedAssets.length} owned)` }] : []),
  ];
  const set = (patch: Partial<SendForm>) => setForm((f) => ({ ...f, ...patch }));

  /** The checked transfer, or field errors; an overdraft is said here, before anything is signed. */
  function check(): { to: string; amount: bigint; tokens: { token: string; amount: bigint }[]; assets: string[]; words: string } | null {
    const parsed = SendFormSchema.safeParse(form);
    const next: FieldErrors = {};
    if (!parsed.success) for (const issue of parsed.error.issues) next[issue.path[0] as keyof SendForm] ??= issue.message;
    const to = form.to.trim();
    if (parsed.success && to === did) next.to = 'This is the account you send from; choose another account.';
    let amount = 0n;
    const tokenAmounts: { token: string; amount: bigint }[] = [];
    const assetList: string[] = [];
    let words = '';
    if (form.what === ASSET) {
      const asset = ownedAssets.find((a) => a.address === form.asset);
      if (!asset) next.asset = 'Choose the asset to send.';
      else {
        assetList.push(asset.address);
        words = `the asset "${asset.moniker || asset.address}"`;
      }
    } else {
      const unitDecimals = token ? token.decimals : decimals;
      try {
        const value = parseAmount(form.amount, unitDecimals);
        if (value <= 0n) next.amount = 'Type an amount above zero.';
        else if (token) tokenAmounts.push({ token: token.address, amount: value });
        else amount = value;
        words = `${formatAmount(value, unitDecimals)} ${token ? token.symbol : symbol}`;
      } catch {
        next.amount = `Type a number like 1.5 (at most ${unitDecimals} digits after the point).`;
      }
    }
    setErrors(next);
    if (Object.keys(next).length > 0) return null;
    const tokenShort = tokenAmounts.some((t) => t.amount > BigInt(tokens.find((h) => h.address === t.token)?.amount ?? '0'));
    if (amount + fee > balance || tokenShort) {
      setFailure(
        new ClientError(
          'INSUFFICIENT_FUNDS',
          tokenShort
            ? `You hold less ${token?.symbol ?? 'of this token'} than that.`
            : `You have ${formatAmount(balance, decimals)} ${symbol}; sending ${formatAmount(amount, decimals)} ${symbol} plus the ${formatAmount(fee, decimals)} ${symbol} fee needs more.`,
        ),
      );
      return null;
    }
    return { to, amount, tokens: tokenAmounts, assets: assetList, words };
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    const transfer = check();
    if (!transfer) return;
    setBusy(true);
    try {
      const result = await wallet.signWithConsent({
        title: `Send ${transfer.words}`,
        details: [
          {
            label: 'What happens',
            value: `${transfer.words} leave${transfer.words.startsWith('the asset') ? 's' : ''} your account for ${transfer.to}`,
          },
          { label: 'To', value: transfer.to },
          { label: 'Fee', value: `${formatAmount(fee, decimals)} ${symbol}, paid by you` },
          ...(form.memo ? [{ label: 'Memo', value: form.memo }] : []),
        ],
        sign: async (signer) => {
          const send = (nonce: number | undefined) =>
            nodeClient().transfer({
              wallet: signer,
              to: transfer.to,
              amount: transfer.amount,
              tokens: transfer.tokens,
              assets: transfer.assets,
              memo: form.memo,
              fee,
              wait: false,
              ...(nonce === undefined ? {} : { nonce }),
            });
          const nonce = await nonceFor(nonceAhead.current, signer.did);
          nonceAhead.current = null;
          try {
            return await send(nonce);
          } catch (error) {
            // The nonce asked ahead went stale (another wallet of this account sent meanwhile): ask now, once.
            if (nonce !== undefined && error instanceof ClientError && error.code === 'NONCE_TOO_LOW') return send(undefined);
            throw error;
          }
        },
      });
      const heard = heardCommits.current.get(result.hash);
      // A failed answer (the node already held it as failed) is settled by the node's wait, which says why.
      const status = result.status === 'failed' ? 'pending' : result.status;
      const base: SentTx = {
        hash: result.hash,
        status,
        height: result.height,
        error: null,
        feeText: `${formatAmount(fee, decimals)} ${symbol}`,
      };
      setSent(heard === undefined ? base : settleHeard(base, heard));
    } catch (error) {
      if (!(error instanceof ClientError && error.code === 'CANCELLED')) setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  if (sent) {
    return (
      <SentStatus
        sent={sent}
        onChange={setSent}
        onAgain={() => {
          setSent(null);
          set({ amount: '', memo: '' });
        }}
      />
    );
  }

  return (
    <form
      onSubmit={(e) => void submit(e)}
      noValidate
      className="space-y-4 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
    >
      <Field label="To" error={errors.to} hint="The DID of the account that receives it.">
        <Input
          value={form.to}
          onChange={(e) => set({ to: e.target.value })}
          placeholder="did:abt:z…"
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
        />
      </Field>
      <Field label="What">
        {(props) => <Select {...props} options={options} value={form.what} onValueChange={(what) => set({ what })} />}
      </Field>
      {form.what === ASSET ? (
        <Field label="Asset" error={errors.asset}>
          {(props) => (
            <Select
              {...props}
              placeholder="Choose an asset"
              options={ownedAssets.map((a) => ({ value: a.address, label: a.moniker || a.address }))}
              value={form.asset}
              onValueChange={(asset) => set({ asset })}
            />
          )}
        </Field>
      ) : (
        <Field label={`Amount (${token ? token.symbol : symbol})`} error={errors.amount}>
          <Input
            value={form.amount}
            onChange={(e) => set({ amount: e.target.value })}
            inputMode="decimal"
            placeholder="0.0"
            autoComplete="off"
          />
        </Field>
      )}
      <Field label="Memo (optional)" error={errors.memo} hint="Visible to everyone on the chain.">
        <Input value={form.memo} onChange={(e) => set({ memo: e.target.value })} maxLength={MEMO_MAX_CHARS} />
      </Field>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Fee: {formatAmount(fee, decimals)} {symbol}, paid by you.
      </p>
      {failure ? <ErrorNotice error={failure} /> : null}
      <Button type="submit" className="w-full sm:w-auto" loading={busy}>
        Review and send
      </Button>
    </form>
  );
}

/**
 * A sent transaction from pending to committed (or failed in its block, or rejected), live from the gateway (its
 * account's room, joined by the form, and the transaction's own topic, which also says rejected), with the node's wait
 * as a backstop.
 */
function SentStatus({ sent, onChange, onAgain }: { sent: SentTx; onChange: (next: SentTx) => void; onAgain: () => void }) {
  const done = sent.status !== 'pending';
  useTopic(done ? null : `chain:tx:${sent.hash}`, (event) => {
    const payload = event.payload;
    if (payload.status === 'committed') onChange({ ...sent, status: 'committed', height: payload.height });
    else if (payload.status === 'failed') onChange(failedTx(sent, payload.height, payload.code, payload.message));
    else onChange({ ...sent, status: 'rejected', height: payload.height, error: new ClientError(payload.code, payload.message) });
  });
  // The event may have passed before the subscription: the node's own wait answers as soon as it knows.
  useEffect(() => {
    if (done) return;
    let live = true;
    nodeClient()
      .waitForTx(sent.hash)
      .then(
        (status) => live && onChange({ ...sent, status: 'committed', height: status.height }),
        (error: unknown) => {
          if (!live) return;
          if (error instanceof TxFailedError) onChange({ ...sent, status: 'failed', height: error.height, error });
          else if (error instanceof ClientError && error.code !== 'TIMEOUT' && error.code !== 'NETWORK') {
            onChange({ ...sent, status: 'rejected', error });
          }
        },
      );
    return () => {
      live = false;
    };
  }, [done, sent, onChange]);

  const label = { pending: 'Pending', committed: 'Committed', failed: 'Failed', rejected: 'Rejected' }[sent.status];
  const tone =
    sent.status === 'pending'
      ? 'bg-amber-100 text-amber-900 dark:bg-amber-500/15 dark:text-amber-200'
      : sent.status === 'committed'
        ? 'bg-emerald-100 text-emerald-900 dark:bg-emerald-500/15 dark:text-emerald-200'
        : 'bg-red-100 text-red-900 dark:bg-red-500/15 dark:text-red-200';
  return (
    <section
      aria-label="Sent transaction"
      className="space-y-4 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
    >
      <div className="flex flex-wrap items-center gap-3">
        <span role="status" data-testid="tx-status" className={`rounded-full px-3 py-1 text-sm font-semibold ${tone}`}>
          {label}
        </span>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          {sent.status === 'pending'
            ? 'The node accepted it; waiting for the next block.'
            : sent.status === 'committed'
              ? `In block ${sent.height}.`
              : sent.status === 'failed'
                ? `The transfer failed in block ${sent.height}: nothing moved, and the fee of ${sent.feeText} was charged.`
                : 'The ledger refused it; nothing moved.'}
        </p>
      </div>
      <p className="font-mono text-xs break-all text-slate-500 dark:text-slate-400">{sent.hash}</p>
      {sent.error ? <ErrorNotice error={sent.error} /> : null}
      <div className="flex flex-wrap gap-2">
        <Link
          href={`/explorer/tx/${sent.hash}`}
          className="inline-flex h-10 items-center rounded-lg px-4 text-sm font-medium text-indigo-700 ring-1 ring-slate-300 ring-inset hover:bg-slate-50 dark:text-indigo-300 dark:ring-slate-700 dark:hover:bg-slate-800"
        >
          View in the explorer
        </Link>
        <Button variant="secondary" onClick={onAgain}>
          Send another
        </Button>
      </div>
    </section>
  );
}
