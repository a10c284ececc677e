'use client';

import { textHash, type Wallet } from '@arc/client';
import { adminMessage, parseManifest, toHex, uploadParams } from '@arc/core';
import { Button, Field, Input, Panel, Select, Textarea } from '@arc/ui';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { type InputHTMLAttributes, useEffect, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Markdown } from '../../market/markdown.ts';
import { useMarketTx } from '../../market/use-market-tx.ts';
import { useTRPC, useTRPCClient } from '../../trpc/react.tsx';
import { useWallet } from '../../wallet/index.ts';
import { FolderProblem, pathInFolder, readPickedFolder } from '../blocklets/folder-upload.ts';
import { useOwnerDid } from '../blocklets/owner.ts';
import { isStakeTooLow, PublishBondNotice } from './publish-bond-notice.tsx';
import {
  type BeneficiaryRow,
  CONSOLE_KINDS,
  PRICE_MODELS,
  type PublishField,
  type PublishForm,
  publishItx,
  publishProblems,
  sharesSumBps,
  starterReadme,
} from './publish-input.ts';

/** `webkitdirectory` is not in React's input attributes: it makes the file picker choose a whole folder. */
const folderPicker = { webkitdirectory: '' } as InputHTMLAttributes<HTMLInputElement>;
const BENEFICIARIES_MAX = 4;
const PRICE_WORDS: Record<(typeof PRICE_MODELS)[number], string> = { free: 'Free', perMonth: 'ABT per month', perCall: 'ABT per call' };

const emptyForm = (owner: string | null): PublishForm => ({
  name: '',
  version: '',
  manifestHash: '',
  bundleHash: '',
  kind: 'blocklet',
  description: '',
  categories: '',
  chains: '',
  priceModel: 'free',
  priceAbt: '',
  beneficiaries: [{ did: owner ?? '', percent: '100' }],
  readme: '',
  releaseNotes: '',
});

/** Market fields a folder may carry beside its manifest (market.json, as `arc publish` reads it). */
function marketJson(text: string | undefined): Partial<PublishForm> {
  if (text === undefined) return {};
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    const list = (v: unknown) => (Array.isArray(v) ? v.filter((x) => typeof x === 'string').join(', ') : undefined);
    const out: Partial<PublishForm> = {};
    if (typeof json.kind === 'string' && (CONSOLE_KINDS as readonly string[]).includes(json.kind))
      out.kind = json.kind as PublishForm['kind'];
    if (typeof json.description === 'string') out.description = json.description;
    if (list(json.categories)) out.categories = list(json.categories) as string;
    if (list(json.chains)) out.chains = list(json.chains) as string;
    if (typeof json.releaseNotes === 'string') out.releaseNotes = json.releaseNotes;
    return out;
  } catch {
    // A market.json that does not parse only means no prefill; arc publish reports it.
    return {};
  }
}

/**
 * `/console/publish`: publish a version of a blocklet to the marketplace, from one the developer deployed (its
 * stored bundle and manifest) or from an uploaded folder; the listing's fields, a shares editor that refuses
 * anything but 100%, a README with preview; then the README stored by hash and a publishComponent transaction
 * signed in the wallet's consent dialog.
 */
export function PublishComponentForm({ initialBlocklet }: { initialBlocklet: string | null }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const wallet = useWallet();
  const owner = useOwnerDid();
  const tx = useMarketTx();
  const [mode, setMode] = useState<'deployed' | 'folder'>('deployed');
  const [blocklet, setBlocklet] = useState<string>(initialBlocklet ?? '');
  const [form, setForm] = useState<PublishForm>(() => emptyForm(owner));
  const [showProblems, setShowProblems] = useState(false);
  const [preview, setPreview] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [folderError, setFolderError] = useState<string | null>(null);
  const [published, setPublished] = useState<{ name: string; version: string; height: number | null } | null>(null);
  const set = (patch: Partial<PublishForm>) => setForm((f) => ({ ...f, ...patch }));

  const list = useQuery({ ...trpc.blocklet.list.queryOptions({ limit: 100 }), enabled: owner !== null });
  const mine = (list.data ?? []).filter((b) => b.owner === owner);
  const detail = useQuery({ ...trpc.blocklet.get.queryOptions({ name: blocklet }), enabled: mode === 'deployed' && blocklet !== '' });

  useEffect(() => {
    setForm((f) =>
      f.beneficiaries.length === 1 && f.beneficiaries[0]?.did === '' && owner
        ? { ...f, beneficiaries: [{ did: owner, percent: '100' }] }
        : f,
    );
  }, [owner]);

  // Picking a deployed blocklet picks its latest version and fills what the listing can take from it.
  useEffect(() => {
    const d = detail.data;
    if (!d || mode !== 'deployed') return;
    const latest = d.latest;
    setForm((f) => ({
      ...f,
      name: d.name,
      version: latest.version,
      manifestHash: latest.manifestHash,
      bundleHash: latest.bundleHash,
      description: f.name === d.name && f.description !== '' ? f.description : d.description.split('\n')[0]?.slice(0, 200) || d.title,
      readme: f.name === d.name && f.readme !== '' ? f.readme : starterReadme(d.name, d.description),
    }));
  }, [detail.data, mode]);

  function pickVersion(version: string) {
    const v = detail.data?.versions.find((x) => x.version === version);
    if (v) set({ version: v.version, manifestHash: v.manifestHash, bundleHash: v.bundleHash });
  }

  async function uploadFolder(files: FileList | null) {
    setFolderError(null);
    if (!files || files.length === 0) return;
    setBusy('Uploading the folder…');
    try {
      const picked = Array.from(files);
      const source = await readPickedFolder(picked);
      const manifest = parseManifest(source.manifestText, source.manifestFile);
      if (owner !== null && manifest.author !== owner) {
        throw new FolderProblem(
          `the manifest's author is ${manifest.author}, but you are signed in as ${owner}; only the author can publish it`,
        );
      }
      const readmeFile = picked.find((f) => pathInFolder(f) === 'README.md');
      const marketFile = picked.find((f) => pathInFolder(f) === 'market.json');
      const { 'market.json': _market, ...sources } = source.files;
      const upload = { manifest: { file: source.manifestFile, text: source.manifestText }, files: sources };
      if (wallet.status !== 'unlocked') await wallet.unlock();
      const auth = await wallet.signSilently(async (signer: Wallet) => {
        const timeMs = Date.now();
        const message = adminMessage('upload', manifest.name, uploadParams(upload), timeMs);
        return { publicKey: toHex(signer.publicKey), timeMs, signature: toHex(signer.sign(message)) };
      });
      const uploaded = await client.blocklet.upload.mutate({ ...upload, auth });
      const readme = readmeFile ? await readmeFile.text() : starterReadme(manifest.name, manifest.description);
      const market = marketJson(marketFile ? await marketFile.text() : undefined);
      setForm((f) => ({
        ...f,
        name: uploaded.name,
        version: uploaded.version,
        manifestHash: uploaded.manifestHash,
        bundleHash: uploaded.bundleHash,
        description: manifest.description.split('\n')[0]?.slice(0, 200) || manifest.title,
        readme,
        ...market,
      }));
    } catch (e) {
      if (e instanceof FolderProblem || (e instanceof Error && e.name === 'ManifestError')) setFolderError(`${e.message}.`);
      else setError(e);
    } finally {
      setBusy(null);
    }
  }

  const problems = publishProblems(form);
  const problem = (field: PublishField) => (showProblems ? problems[field] : undefined);
  const sum = sharesSumBps(form.beneficiaries);

  async function publish() {
    setShowProblems(true);
    setError(null);
    if (Object.keys(problems).length > 0) return;
    try {
      setBusy('Storing the README…');
      await client.market.putText.mutate({ text: form.readme, purpose: 'readme' });
      setBusy('Waiting for your signature…');
      const itx = publishItx(form, textHash(form.readme));
      const result = await tx.submit({
        title: `Publish ${form.name} ${form.version}`,
        details: [
          {
            label: 'What happens',
            value: `A publishComponent transaction lists ${form.name}@${form.version} on the marketplace under your DID`,
          },
          { label: 'Kind', value: form.kind },
          { label: 'Price', value: form.priceModel === 'free' ? 'free' : `${form.priceAbt} ${PRICE_WORDS[form.priceModel]}` },
          { label: 'Revenue', value: itx.beneficiaries.map((b) => `${b.shareBps / 100}% to ${b.did.slice(0, 16)}…`).join(', ') },
          {
            label: 'Stake',
            value:
              'A new name needs the chain’s publish stake per name you own bonded (nothing leaves your balance); new versions need none',
          },
        ],
        itx: () => itx,
      });
      setPublished({ name: form.name, version: form.version, height: result.height });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }

  const setRow = (i: number, patch: Partial<BeneficiaryRow>) =>
    set({ beneficiaries: form.beneficiaries.map((row, j) => (j === i ? { ...row, ...patch } : row)) });

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-xl font-semibold text-slate-900 dark:text-slate-100">Publish to the marketplace</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          List a version of a blocklet you deployed, or upload a folder (like <code>arc publish</code>). Versions are immutable; the first
          publisher of a name owns it.
        </p>
      </div>
      {published ? (
        <Panel title="Published">
          <div className="space-y-2 p-4" role="status">
            <p className="text-sm text-emerald-700 dark:text-emerald-400">
              {published.name}@{published.version} is on the ledger (block #{published.height ?? '…'}) and listed on the marketplace.
            </p>
            <Link href={`/c/${published.name}`} className="text-sm font-medium text-indigo-700 underline dark:text-indigo-300">
              See {published.name} on the marketplace
            </Link>
          </div>
        </Panel>
      ) : null}
      <Panel title="What to publish">
        <div className="space-y-4 p-4">
          <fieldset className="flex flex-wrap gap-4 text-sm">
            <legend className="sr-only">Source</legend>
            {(['deployed', 'folder'] as const).map((m) => (
              <label key={m} className="flex items-center gap-2">
                <input type="radio" name="source" checked={mode === m} onChange={() => setMode(m)} className="accent-indigo-600" />
                {m === 'deployed' ? 'A blocklet I deployed' : 'Upload a folder'}
              </label>
            ))}
          </fieldset>
          {mode === 'deployed' ? (
            <div className="grid gap-4 sm:grid-cols-2">
              <Field label="Blocklet" error={problem('source')}>
                <Select
                  aria-label="Blocklet"
                  value={blocklet || undefined}
                  onValueChange={setBlocklet}
                  placeholder={
                    list.isPending ? 'Loading your blocklets…' : mine.length === 0 ? 'You have deployed none yet' : 'Choose a blocklet'
                  }
                  options={mine.map((b) => ({ value: b.name, label: b.name }))}
                />
              </Field>
              <Field label="Version">
                <Select
                  aria-label="Version"
                  value={form.version || undefined}
                  onValueChange={pickVersion}
                  options={(detail.data?.versions ?? []).map((v) => ({ value: v.version, label: v.version }))}
                />
              </Field>
            </div>
          ) : (
            <Field
              label="Project folder"
              hint="The folder holding blocklet.yml; its README.md and market.json fill the form."
              error={folderError ?? problem('source')}
            >
              <input
                type="file"
                {...folderPicker}
                multiple
                disabled={busy !== null}
                onChange={(e) => void uploadFolder(e.target.files)}
                className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-lg file:border-0 file:bg-slate-100 file:px-3 file:py-2 file:text-sm file:font-medium file:text-slate-800 dark:text-slate-300 dark:file:bg-slate-800 dark:file:text-slate-100"
              />
            </Field>
          )}
          {form.name ? (
            <p className="text-sm text-slate-700 dark:text-slate-300" data-testid="publish-source">
              {form.name}@{form.version} · manifest {form.manifestHash.slice(0, 12)}… · bundle {form.bundleHash.slice(0, 12)}…
            </p>
          ) : null}
        </div>
      </Panel>
      <Panel title="Listing">
        <div className="grid gap-4 p-4 sm:grid-cols-2">
          <Field label="Kind">
            <Select
              aria-label="Kind"
              value={form.kind}
              onValueChange={(v) => set({ kind: v as PublishForm['kind'] })}
              options={CONSOLE_KINDS.map((k) => ({ value: k, label: k }))}
            />
          </Field>
          <Field label="Description" hint="One line, at most 200 bytes." error={problem('description')}>
            <Input value={form.description} onChange={(e) => set({ description: e.target.value })} />
          </Field>
          <Field label="Categories" hint="1 to 5, comma separated: oracles, payments…" error={problem('categories')}>
            <Input value={form.categories} onChange={(e) => set({ categories: e.target.value })} placeholder="oracles, defi" />
          </Field>
          <Field label="Chains" hint="The chains it works with: arc, ethereum, bitcoin…" error={problem('chains')}>
            <Input value={form.chains} onChange={(e) => set({ chains: e.target.value })} placeholder="arc" />
          </Field>
          <Field label="Price model">
            <Select
              aria-label="Price model"
              value={form.priceModel}
              onValueChange={(v) => set({ priceModel: v as PublishForm['priceModel'] })}
              options={PRICE_MODELS.map((m) => ({ value: m, label: PRICE_WORDS[m] }))}
            />
          </Field>
          {form.priceModel !== 'free' ? (
            <Field label="Price in ABT" error={problem('price')}>
              <Input inputMode="decimal" value={form.priceAbt} onChange={(e) => set({ priceAbt: e.target.value })} placeholder="0.5" />
            </Field>
          ) : null}
          <Field label="Release notes" hint="What changed in this version." error={problem('releaseNotes')} className="sm:col-span-2">
            <Input value={form.releaseNotes} onChange={(e) => set({ releaseNotes: e.target.value })} />
          </Field>
        </div>
      </Panel>
      <Panel title="Revenue shares">
        <div className="space-y-3 p-4">
          {form.beneficiaries.map((row, i) => (
            // Rows have no identity but their position; the editor only appends and removes the last.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            <div key={i} className="grid gap-2 sm:grid-cols-[1fr_8rem]">
              <Input
                aria-label={`Beneficiary ${i + 1} DID`}
                value={row.did}
                onChange={(e) => setRow(i, { did: e.target.value })}
                placeholder="did:abt:…"
              />
              <Input
                aria-label={`Beneficiary ${i + 1} share %`}
                inputMode="decimal"
                value={row.percent}
                onChange={(e) => setRow(i, { percent: e.target.value })}
              />
            </div>
          ))}
          <div className="flex flex-wrap items-center gap-3">
            <Button
              type="button"
              variant="secondary"
              disabled={form.beneficiaries.length >= BENEFICIARIES_MAX}
              onClick={() => set({ beneficiaries: [...form.beneficiaries, { did: '', percent: '' }] })}
            >
              Add a beneficiary
            </Button>
            {form.beneficiaries.length > 1 ? (
              <Button type="button" variant="secondary" onClick={() => set({ beneficiaries: form.beneficiaries.slice(0, -1) })}>
                Remove the last
              </Button>
            ) : null}
            <span
              data-testid="shares-sum"
              className={`text-sm ${sum === 10_000 ? 'text-emerald-700 dark:text-emerald-400' : 'text-rose-700 dark:text-rose-400'}`}
            >
              Sum: {sum / 100}% {sum === 10_000 ? '' : '(must be 100%)'}
            </span>
          </div>
          {problem('beneficiaries') ? (
            <p className="text-sm text-rose-700 dark:text-rose-400" role="alert">
              {problem('beneficiaries')}
            </p>
          ) : null}
        </div>
      </Panel>
      <Panel title="README">
        <div className="space-y-3 p-4">
          <div className="flex gap-2">
            <Button type="button" variant={preview ? 'secondary' : 'primary'} onClick={() => setPreview(false)} aria-pressed={!preview}>
              Write
            </Button>
            <Button type="button" variant={preview ? 'primary' : 'secondary'} onClick={() => setPreview(true)} aria-pressed={preview}>
              Preview
            </Button>
          </div>
          {preview ? (
            <Markdown text={form.readme} />
          ) : (
            <Field label="README (markdown)" error={problem('readme')}>
              <Textarea rows={14} value={form.readme} onChange={(e) => set({ readme: e.target.value })} className="font-mono" />
            </Field>
          )}
        </div>
      </Panel>
      <PublishBondNotice owner={owner} error={error} />
      {error && !isStakeTooLow(error) ? <ErrorNotice error={error} /> : null}
      {showProblems && Object.keys(problems).length > 0 ? (
        <p className="text-sm text-rose-700 dark:text-rose-400" role="alert">
          Fix the fields marked above before signing.
        </p>
      ) : null}
      <div className="flex justify-end">
        <Button type="button" onClick={() => void publish()} disabled={busy !== null || owner === null}>
          {busy ?? 'Sign and publish'}
        </Button>
      </div>
    </div>
  );
}
