'use client';

import {
  BLOCKLET_NAME,
  BLOCKLET_TEMPLATE_INFO,
  BLOCKLET_TEMPLATES,
  type BlockletTemplateName,
  blockletTemplateFiles,
  ManifestError,
  parseManifest,
} from '@arc/core';
import { Button, Field, Input, Panel } from '@arc/ui';
import { useRouter } from 'next/navigation';
import { type FormEvent, type InputHTMLAttributes, useState } from 'react';
import { saveDraft } from './drafts.ts';
import { FolderProblem, readPickedFolder } from './folder-upload.ts';
import { useOwnerDid } from './owner.ts';

/** `webkitdirectory` is not in React's input attributes: it makes the file picker choose a whole folder. */
const folderPicker = { webkitdirectory: '' } as InputHTMLAttributes<HTMLInputElement>;

function nameProblem(name: string): string | null {
  if (name === '') return 'Give the blocklet a name.';
  return BLOCKLET_NAME.test(name) ? null : 'A name is 2–64 lower-case letters, digits or dashes, starting with a letter.';
}

/** `/console/blocklets/new`: a blocklet from a template, or a project folder uploaded as the CLI would. */
export function NewBlocklet() {
  const router = useRouter();
  const owner = useOwnerDid();
  const [template, setTemplate] = useState<BlockletTemplateName>('http');
  const [name, setName] = useState('');
  const [touched, setTouched] = useState(false);
  const [folderError, setFolderError] = useState<string | null>(null);
  const [reading, setReading] = useState(false);
  const problem = nameProblem(name);

  function create(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (problem !== null || owner === null) return;
    const files = blockletTemplateFiles({ name, author: owner, template });
    saveDraft(name, files, Date.now());
    router.push(`/console/blocklets/${name}?tab=code`);
  }

  async function upload(list: FileList | null) {
    setFolderError(null);
    if (!list || list.length === 0) return;
    setReading(true);
    try {
      const source = await readPickedFolder(Array.from(list));
      const manifest = parseManifest(source.manifestText, source.manifestFile);
      if (owner !== null && manifest.author !== owner) {
        setFolderError(`The manifest's author is ${manifest.author}, but you are signed in as ${owner}; only the author can deploy it.`);
        return;
      }
      saveDraft(manifest.name, { [source.manifestFile]: source.manifestText, ...source.files }, Date.now());
      router.push(`/console/blocklets/${manifest.name}?tab=code`);
    } catch (error) {
      if (error instanceof FolderProblem) setFolderError(`${error.message}.`);
      else if (error instanceof ManifestError) setFolderError(error.message);
      else throw error;
    } finally {
      setReading(false);
    }
  }

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-xl font-semibold text-slate-900 dark:text-slate-100">Create a blocklet</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Start from a template and edit it here, or upload a project folder made with <code>arc blocklet init</code>.
        </p>
      </div>
      <form onSubmit={create} noValidate>
        <Panel title="From a template">
          <div className="space-y-5 p-4">
            <fieldset>
              <legend className="mb-2 text-sm font-medium text-slate-800 dark:text-slate-200">Template</legend>
              <div className="grid gap-3 sm:grid-cols-2">
                {BLOCKLET_TEMPLATES.map((t) => (
                  <label
                    key={t}
                    className="flex cursor-pointer gap-3 rounded-lg p-3 ring-1 ring-slate-200 has-checked:bg-indigo-50 has-checked:ring-2 has-checked:ring-indigo-500 dark:ring-slate-700 dark:has-checked:bg-indigo-500/10"
                  >
                    <input
                      type="radio"
                      name="template"
                      value={t}
                      checked={template === t}
                      onChange={() => setTemplate(t)}
                      className="mt-1 accent-indigo-600"
                    />
                    <span>
                      <span className="block text-sm font-medium text-slate-900 dark:text-slate-100">
                        {BLOCKLET_TEMPLATE_INFO[t].title}
                      </span>
                      <span className="block text-xs text-slate-600 dark:text-slate-400">{BLOCKLET_TEMPLATE_INFO[t].summary}</span>
                    </span>
                  </label>
                ))}
              </div>
            </fieldset>
            <Field
              label="Name"
              hint="Lower-case letters, digits and dashes; it becomes the URL /b/<name>/."
              error={touched ? (problem ?? undefined) : undefined}
            >
              <Input
                value={name}
                autoComplete="off"
                spellCheck={false}
                placeholder="price-feed"
                onChange={(e) => setName(e.target.value.trim())}
                onBlur={() => setTouched(true)}
              />
            </Field>
            <div className="flex justify-end">
              <Button type="submit" disabled={owner === null}>
                Create and edit
              </Button>
            </div>
          </div>
        </Panel>
      </form>
      <Panel title="Upload a folder">
        <div className="space-y-3 p-4">
          <p className="text-sm text-slate-600 dark:text-slate-400">
            The folder holding blocklet.yml. Like <code>arc blocklet deploy</code>, only JavaScript, TypeScript and JSON files are taken
            (not node_modules, .git or dotfiles): at most 200 files, 512 KB each, 4 MB in all.
          </p>
          <Field label="Project folder" error={folderError ?? undefined}>
            <input
              type="file"
              {...folderPicker}
              multiple
              disabled={reading}
              onChange={(e) => void upload(e.target.files)}
              className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-lg file:border-0 file:bg-slate-100 file:px-3 file:py-2 file:text-sm file:font-medium file:text-slate-800 dark:text-slate-300 dark:file:bg-slate-800 dark:file:text-slate-100"
            />
          </Field>
        </div>
      </Panel>
    </div>
  );
}
