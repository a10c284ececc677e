/**
 * The source being edited in the browser, kept per blocklet in localStorage so a reload loses nothing. The node
 * keeps bundles, not sources: a blocklet deployed from elsewhere starts with an empty draft here.
 */
export interface Draft {
  files: Record<string, string>;
  updatedAtMs: number;
}

const key = (name: string) => `arc:blocklet-draft:${name}`;

/** The saved draft of a blocklet, or null. */
export function loadDraft(name: string, storage: Pick<Storage, 'getItem'> = localStorage): Draft | null {
  const raw = storage.getItem(key(name));
  if (raw === null) return null;
  try {
    const parsed = JSON.parse(raw) as Draft;
    return typeof parsed === 'object' && parsed !== null && typeof parsed.files === 'object' ? parsed : null;
  } catch {
    // A draft written by another version of the app or edited by hand: start again rather than fail the page.
    return null;
  }
}

export function saveDraft(name: string, files: Record<string, string>, nowMs: number, storage: Pick<Storage, 'setItem'> = localStorage) {
  storage.setItem(key(name), JSON.stringify({ files, updatedAtMs: nowMs } satisfies Draft));
}

/** The next patch version of a semver string (1.2.3 → 1.2.4; a pre-release is dropped). */
export function nextPatch(version: string): string {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) return '1.0.0';
  return `${match[1]}.${match[2]}.${Number(match[3]) + 1}`;
}

/** The manifest with its top-level `version:` set (YAML keeps its comments; JSON gets the field). */
export function withManifestVersion(file: string, text: string, version: string): string {
  if (file.endsWith('.json')) return `${JSON.stringify({ ...(JSON.parse(text) as object), version }, null, 2)}\n`;
  const line = /^version:[^\n#]*?([ \t]+#[^\n]*)?$/m;
  if (!line.test(text)) return `version: ${version}\n${text}`;
  return text.replace(line, (_match, comment: string | undefined) => `version: ${version}${comment ?? ''}`);
}
