'use client';

import { javascript } from '@codemirror/lang-javascript';
import { yaml } from '@codemirror/lang-yaml';
import { type Diagnostic, linter, lintGutter } from '@codemirror/lint';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';
import type { EditorLanguage } from './editor-language.ts';
import type { TextDiagnostic } from './manifest-lint.ts';

export { type EditorLanguage, languageOf } from './editor-language.ts';

export interface CodeEditorProps {
  /** The text when the editor is made; later changes come from the person typing (remount with a key to reset). */
  initialValue: string;
  language: EditorLanguage;
  onChange: (text: string) => void;
  /** Checked as the person types; the problems are underlined at their place and listed in the gutter. */
  lint?: (text: string) => TextDiagnostic[];
  /** Names the editor for screen readers (e.g. the file name). */
  label: string;
}

function languageExtension(language: EditorLanguage): Extension {
  switch (language) {
    case 'typescript':
      return javascript({ typescript: true });
    case 'javascript':
      return javascript();
    case 'json':
      return javascript();
    case 'yaml':
      return yaml();
  }
}

const theme = EditorView.theme({
  '&': { fontSize: '13px', height: '100%' },
  '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace', minHeight: '22rem', maxHeight: '70vh' },
  '.cm-gutters': { backgroundColor: 'transparent', borderRight: '1px solid rgb(148 163 184 / 0.3)' },
});

/** A CodeMirror 6 editor: TypeScript or YAML highlighting, line numbers, search, and lint as you type. */
export function CodeEditor({ initialValue, language, onChange, lint, label }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const latest = useRef({ onChange, lint });
  latest.current = { onChange, lint };

  // biome-ignore lint/correctness/useExhaustiveDependencies: the editor is made once per mount; the parent remounts it (key) for another file.
  useEffect(() => {
    if (!host.current) return;
    const extensions: Extension[] = [
      basicSetup,
      languageExtension(language),
      theme,
      EditorView.contentAttributes.of({ 'aria-label': label }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) latest.current.onChange(update.state.doc.toString());
      }),
    ];
    if (lint) {
      extensions.push(
        lintGutter(),
        linter((view): Diagnostic[] => latest.current.lint?.(view.state.doc.toString()) ?? [], { delay: 250 }),
      );
    }
    const view = new EditorView({ state: EditorState.create({ doc: initialValue, extensions }), parent: host.current });
    // A scrollable region must be reachable by keyboard (axe: scrollable-region-focusable); the text itself is the
    // contenteditable inside it, which axe does not count.
    view.scrollDOM.setAttribute('tabindex', '0');
    view.scrollDOM.setAttribute('role', 'group');
    view.scrollDOM.setAttribute('aria-label', `${label}, scrollable`);
    return () => view.destroy();
  }, []);

  return (
    <div
      ref={host}
      data-testid="code-editor"
      className="overflow-hidden rounded-lg bg-white ring-1 ring-slate-200 dark:bg-slate-950 dark:ring-slate-800 dark:[&_.cm-content]:text-slate-100"
    />
  );
}
