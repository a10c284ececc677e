import { ManifestError, parseManifest } from '@arc/core';

/** A problem in an editor's text, as CodeMirror's lint takes it: a character range and a sentence. */
export interface TextDiagnostic {
  from: number;
  to: number;
  line: number;
  severity: 'error';
  message: string;
}

/** The character offset where a 1-based line starts (the end of the text past the last line). */
function lineStart(text: string, line: number): number {
  let offset = 0;
  for (let current = 1; current < line; current += 1) {
    const next = text.indexOf('\n', offset);
    if (next === -1) return text.length;
    offset = next + 1;
  }
  return offset;
}

/**
 * The manifest's problems, each at its line (the whole line is marked from the column on), from the same parser
 * and schema the node uses: an empty list when the manifest is valid.
 */
export function manifestDiagnostics(text: string, file = 'blocklet.yml'): TextDiagnostic[] {
  try {
    parseManifest(text, file);
    return [];
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error;
    return error.issues.map((issue) => {
      const line = Math.max(issue.line, 1);
      const start = lineStart(text, line);
      const end = text.indexOf('\n', start);
      const lineEnd = end === -1 ? text.length : end;
      const from = Math.min(start + Math.max(issue.column - 1, 0), lineEnd);
      return {
        from,
        to: Math.max(lineEnd, from),
        line,
        severity: 'error' as const,
        message: issue.path ? `${issue.path}: ${issue.message}` : issue.message,
      };
    });
  }
}
