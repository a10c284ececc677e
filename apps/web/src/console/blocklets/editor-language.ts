/** The code editor's languages, apart from CodeMirror: code-tab.tsx picks one without downloading the editor. */

export type EditorLanguage = 'typescript' | 'javascript' | 'yaml' | 'json';

/** The language of a file by its name. */
export function languageOf(path: string): EditorLanguage {
  if (/\.ya?ml$/.test(path)) return 'yaml';
  if (path.endsWith('.json')) return 'json';
  if (/\.(m?ts|cts|tsx)$/.test(path)) return 'typescript';
  return 'javascript';
}
