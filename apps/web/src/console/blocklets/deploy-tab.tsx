'use client';

import { type BlockletManifest, MANIFEST_FILES, type ManifestFile, parseManifest, uploadLimitProblem } from '@arc/core';
import { Button, Field, Input } from '@arc/ui';
import { useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { toast } from '../../components/toast.tsx';
import { nextPatch, withManifestVersion } from './drafts.ts';
import { sourceSizes } from './folder-upload.ts';
import { type AliasName, type BlockletDetail, type DeployStep, useBlockletAdmin } from './use-blocklet-admin.ts';

const STEPS: { step: DeployStep; label: string }[] = [
  { step: 'upload', label: 'Bundle and upload' },
  { step: 'sign', label: 'Sign the deploy transaction in your wallet' },
  { step: 'submitted', label: 'Submitted to the ledger' },
  { step: 'committed', label: 'Committed, warm and routed' },
];

type Progress = { at: DeployStep; details: Partial<Record<DeployStep, string>> } | null;

function readManifest(
  files: Record<string, string>,
): { file: ManifestFile; manifest: BlockletManifest | null; error: string | null } | null {
  const file = MANIFEST_FILES.find((f) => files[f] !== undefined);
  if (file === undefined) return null;
  try {
    return { file, manifest: parseManifest(files[file] as string, file), error: null };
  } catch (error) {
    return { file, manifest: null, error: (error as Error).message };
  }
}

export interface DeployTabProps {
  name: string;
  files: Record<string, string>;
  blocklet: BlockletDetail | null;
  onChangeFile: (path: string, text: string) => void;
  onDeployed: () => void;
}

/** The Deploy tab: checks, then upload → wallet consent → submitted → committed, each step shown as it happens. */
export function DeployTab({ name, files, blocklet, onChangeFile, onDeployed }: DeployTabProps) {
  const admin = useBlockletAdmin();
  const [alias, setAlias] = useState<AliasName | 'none'>(blocklet ? 'canary' : 'live');
  const [sharePercent, setSharePercent] = useState('10');
  const [progress, setProgress] = useState<Progress>(null);
  const [error, setError] = useState<unknown>(null);
  const [running, setRunning] = useState(false);

  const read = readManifest(files);
  const manifest = read?.manifest ?? null;
  const sources = Object.fromEntries(Object.entries(files).filter(([path]) => !(MANIFEST_FILES as readonly string[]).includes(path)));
  const sizeProblem = uploadLimitProblem(sourceSizes(sources));
  const versionTaken = manifest !== null && (blocklet?.versions.some((v) => v.version === manifest.version) ?? false);
  const share = Number(sharePercent);
  const shareProblem =
    alias === 'canary' && !(Number.isFinite(share) && share > 0 && share <= 100) ? 'A share is a percentage from 0.01 to 100.' : null;
  const problem =
    read === null
      ? 'This project has no blocklet.yml.'
      : read.error !== null
        ? 'Fix the manifest first (see the Code tab).'
        : manifest?.name !== name
          ? `The manifest names "${manifest?.name}", not ${name}.`
          : sizeProblem !== null
            ? `Too large to deploy: ${sizeProblem}.`
            : versionTaken
              ? `Version ${manifest.version} is already deployed; versions never change, so raise it.`
              : shareProblem;

  async function deploy() {
    if (problem !== null || manifest === null || read === null) return;
    setError(null);
    setRunning(true);
    setProgress({ at: 'upload', details: {} });
    try {
      const deployed = await admin.deploy(
        { manifestFile: read.file, manifestText: files[read.file] as string, files: sources },
        {
          name,
          version: manifest.version,
          alias: alias === 'none' ? null : alias,
          canaryShareBps: alias === 'canary' ? Math.round(share * 100) : 0,
        },
        (step, detail) => setProgress((p) => ({ at: step, details: { ...(p?.details ?? {}), ...(detail ? { [step]: detail } : {}) } })),
      );
      toast({
        kind: 'success',
        title: `Deployed ${name} ${deployed.version.version}`,
        body: `Committed at height ${deployed.version.height}.`,
      });
      onDeployed();
    } catch (caught) {
      setError(caught);
    } finally {
      setRunning(false);
    }
  }

  const atIndex = progress ? STEPS.findIndex((s) => s.step === progress.at) : -1;
  return (
    <div className="grid gap-6 lg:grid-cols-[1fr_20rem]">
      <div className="space-y-4">
        <dl className="grid grid-cols-[8rem_1fr] gap-y-2 text-sm">
          <dt className="text-slate-500 dark:text-slate-400">Version</dt>
          <dd className="flex flex-wrap items-center gap-2 font-mono">
            {manifest?.version ?? '—'}
            {versionTaken && read && manifest ? (
              <Button
                size="sm"
                variant="secondary"
                onClick={() =>
                  onChangeFile(read.file, withManifestVersion(read.file, files[read.file] as string, nextPatch(manifest.version)))
                }
              >
                Raise to {nextPatch(manifest.version)}
              </Button>
            ) : null}
          </dd>
          <dt className="text-slate-500 dark:text-slate-400">Files</dt>
          <dd>{Object.keys(sources).length} source files</dd>
          <dt className="text-slate-500 dark:text-slate-400">Live now</dt>
          <dd className="font-mono">{blocklet?.aliases.find((a) => a.alias === 'live')?.version ?? 'not deployed yet'}</dd>
        </dl>
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium text-slate-800 dark:text-slate-200">Send traffic to the new version</legend>
          {(
            [
              ['live', 'Live: all calls at once'],
              ['canary', 'Canary: a share of calls, promote it later'],
              ['none', 'None: deploy only, route later'],
            ] as const
          ).map(([value, label]) => (
            <label key={value} className="flex items-center gap-2 text-sm text-slate-700 dark:text-slate-300">
              <input
                type="radio"
                name="alias"
                value={value}
                checked={alias === value}
                onChange={() => setAlias(value)}
                className="accent-indigo-600"
              />
              {label}
            </label>
          ))}
          {alias === 'canary' ? (
            <Field label="Canary share (%)" error={shareProblem ?? undefined} className="max-w-40">
              <Input inputMode="decimal" value={sharePercent} onChange={(e) => setSharePercent(e.target.value)} />
            </Field>
          ) : null}
        </fieldset>
        {problem !== null ? (
          <p role="alert" className="text-sm font-medium text-red-700 dark:text-red-400">
            {problem}
          </p>
        ) : null}
        <Button onClick={() => void deploy()} loading={running} disabled={problem !== null}>
          Deploy {manifest?.version ?? ''}
        </Button>
        {error ? <ErrorNotice error={error} /> : null}
      </div>
      <ol aria-label="Deploy progress" className="space-y-3">
        {STEPS.map((s, index) => {
          const state =
            atIndex > index || (atIndex === index && progress?.at === 'committed')
              ? 'done'
              : atIndex === index
                ? error
                  ? 'failed'
                  : 'active'
                : 'waiting';
          return (
            <li key={s.step} data-state={state} className="flex gap-3 text-sm">
              <span
                aria-hidden="true"
                className={`mt-0.5 flex size-5 shrink-0 items-center justify-center rounded-full text-xs font-bold ${
                  state === 'done'
                    ? 'bg-emerald-600 text-white'
                    : state === 'active'
                      ? 'motion-safe:animate-pulse bg-indigo-600 text-white'
                      : state === 'failed'
                        ? 'bg-red-600 text-white'
                        : 'bg-slate-200 text-slate-600 dark:bg-slate-800 dark:text-slate-300'
                }`}
              >
                {state === 'done' ? '✓' : state === 'failed' ? '!' : index + 1}
              </span>
              <span>
                <span className="block text-slate-800 dark:text-slate-200">
                  {s.label}
                  <span className="sr-only"> ({state})</span>
                </span>
                {progress?.details[s.step] ? (
                  <span className="block font-mono text-xs break-all text-slate-500 dark:text-slate-400">{progress.details[s.step]}</span>
                ) : null}
              </span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
