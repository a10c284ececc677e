'use client';

import { MANIFEST_FILES } from '@arc/core';
import dynamic from 'next/dynamic';
import { useState } from 'react';
import { languageOf } from './editor-language.ts';
import { manifestDiagnostics } from './manifest-lint.ts';

/** CodeMirror is loaded only when the Code tab is shown, so the console's first load stays small. */
const CodeEditor = dynamic(() => import('./code-editor.tsx').then((m) => m.CodeEditor), {
  ssr: false,
  loading: () => <div className="h-[22rem] motion-safe:animate-pulse rounded-lg bg-slate-100 dark:bg-slate-800" />,
});

export interface CodeTabProps {
  files: Record<string, string>;
  onChange: (path: string, text: string) => void;
}

/** The Code tab: the project's files, each in an editor; the manifest checked as you type, its problems listed by line. */
export function CodeTab({ files, onChange }: CodeTabProps) {
  const paths = Object.keys(files).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
  const [selected, setSelected] = useState(paths.find((p) => p.endsWith('.ts')) ?? paths[0] ?? '');
  const current = files[selected] === undefined ? (paths[0] ?? '') : selected;
  const isManifest = (MANIFEST_FILES as readonly string[]).includes(current);
  const problems = isManifest ? manifestDiagnostics(files[current] ?? '', current) : [];

  if (paths.length === 0) {
    return (
      <p className="text-sm text-slate-600 dark:text-slate-400">
        The node keeps bundles, not sources: this browser has no source of this blocklet. Upload its folder from{' '}
        <a href="/console/blocklets/new" className="text-indigo-700 underline dark:text-indigo-300">
          Create a blocklet
        </a>{' '}
        to edit it here.
      </p>
    );
  }

  return (
    <div className="grid gap-4 md:grid-cols-[12rem_1fr]">
      <nav aria-label="Files">
        <ul className="flex gap-1 overflow-x-auto md:flex-col">
          {paths.map((path) => (
            <li key={path}>
              <button
                type="button"
                aria-current={path === current ? 'true' : undefined}
                onClick={() => setSelected(path)}
                className="w-full rounded-md px-2.5 py-1.5 text-left font-mono text-xs whitespace-nowrap text-slate-700 hover:bg-slate-100 aria-[current=true]:bg-indigo-50 aria-[current=true]:font-semibold aria-[current=true]:text-indigo-800 dark:text-slate-300 dark:hover:bg-slate-800 dark:aria-[current=true]:bg-indigo-500/15 dark:aria-[current=true]:text-indigo-200"
              >
                {path}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <div className="min-w-0 space-y-3">
        <CodeEditor
          key={current}
          label={`${current} source`}
          initialValue={files[current] ?? ''}
          language={languageOf(current)}
          onChange={(text) => onChange(current, text)}
          lint={isManifest ? (text) => manifestDiagnostics(text, current) : undefined}
        />
        {isManifest ? (
          problems.length === 0 ? (
            <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
              The manifest is valid.
            </p>
          ) : (
            <div
              role="alert"
              className="rounded-lg bg-red-50 p-3 text-sm text-red-800 ring-1 ring-red-200 dark:bg-red-500/10 dark:text-red-200 dark:ring-red-500/30"
            >
              <p className="font-medium">
                {problems.length === 1 ? 'The manifest has a problem:' : `The manifest has ${problems.length} problems:`}
              </p>
              <ul className="mt-1 list-disc space-y-0.5 pl-5">
                {problems.map((p) => (
                  <li key={`${p.from}-${p.message}`} data-testid="manifest-problem">
                    Line {p.line}: {p.message}
                  </li>
                ))}
              </ul>
            </div>
          )
        ) : null}
      </div>
    </div>
  );
}

/** The manifest first, then the entry, then the rest. */
function rank(path: string): number {
  if ((MANIFEST_FILES as readonly string[]).includes(path)) return 0;
  return path.startsWith('index.') ? 1 : 2;
}
