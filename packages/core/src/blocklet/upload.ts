/**
 * What a blocklet upload may hold, as the node enforces it (UPLOAD_LIMITS in apps/node/src/runtime/api-schemas.ts):
 * checked by the CLI and the web console too, so a project that is too large fails before anything is sent.
 */
export const UPLOAD_LIMITS = {
  filesMax: 200,
  fileBytesMax: 512 * 1024,
  sourceBytesMax: 4 * 1024 * 1024,
  /** The bundle the node makes of the sources (esbuild): known only after upload, refused by the node. */
  bundleBytesMax: 1024 * 1024,
} as const;

export const MANIFEST_FILES = ['blocklet.yml', 'blocklet.yaml', 'blocklet.json'] as const;
export type ManifestFile = (typeof MANIFEST_FILES)[number];

/** What is uploaded: source files the bundler can read (JavaScript, TypeScript, JSON). */
export const SOURCE_FILE = /\.(m?[jt]s|c[jt]s|[jt]sx|json)$/;
/** Folders that are never part of a blocklet's source. */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set(['node_modules', '.git']);

/**
 * Whether a file at a relative path ('/' separators) is uploaded as source: not under a dot-folder, node_modules
 * or .git, not a dotfile, not the manifest, and a JavaScript, TypeScript or JSON file.
 */
export function isUploadedSource(relPath: string): boolean {
  const parts = relPath.split('/');
  if (parts.some((part) => part.startsWith('.') || SKIPPED_DIRS.has(part))) return false;
  if ((MANIFEST_FILES as readonly string[]).includes(relPath)) return false;
  return SOURCE_FILE.test(parts[parts.length - 1] ?? '');
}

/** Bytes as people read them: "812 B", "3.4 KB". */
export function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

/**
 * The first upload limit some files break, as a sentence naming the file and the limit, or null when they fit.
 * `sizes` are byte lengths by relative path, in the order they were read.
 */
export function uploadLimitProblem(sizes: Iterable<[path: string, bytes: number]>): string | null {
  let count = 0;
  let total = 0;
  for (const [path, bytes] of sizes) {
    count += 1;
    total += bytes;
    if (count > UPLOAD_LIMITS.filesMax)
      return `more than ${UPLOAD_LIMITS.filesMax} source files; a blocklet has at most ${UPLOAD_LIMITS.filesMax}`;
    if (bytes > UPLOAD_LIMITS.fileBytesMax) {
      return `${path} is ${formatBytes(bytes)}; a source file is at most ${formatBytes(UPLOAD_LIMITS.fileBytesMax)}`;
    }
    if (total > UPLOAD_LIMITS.sourceBytesMax) return `the sources are over ${formatBytes(UPLOAD_LIMITS.sourceBytesMax)} in all`;
  }
  return null;
}
