import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import {
  type BlockletManifest,
  formatBytes,
  MANIFEST_FILES,
  ManifestError,
  type ManifestFile,
  parseManifest,
  SKIPPED_DIRS,
  SOURCE_FILE,
  UPLOAD_LIMITS,
} from '@arc/core';
import { CliError } from '../errors.ts';

/** Directory entries looked at before giving up: a project folder with more is not a blocklet. */
const WALK_ENTRIES_MAX = 5_000;

// The limits and file filters are @arc/core's, shared with the web console's folder upload.
export { MANIFEST_FILES, type ManifestFile, UPLOAD_LIMITS };

export interface BlockletSource {
  dir: string;
  manifestFile: ManifestFile;
  manifestText: string;
  manifest: BlockletManifest;
  /** Source files by path relative to dir, with '/' separators. */
  files: Record<string, string>;
  sourceBytes: number;
}

function hasCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

/** The manifest text and its file name, or MANIFEST_MISSING. */
export async function readManifestText(dir: string): Promise<{ file: ManifestFile; text: string }> {
  for (const file of MANIFEST_FILES) {
    try {
      return { file, text: await readFile(join(dir, file), 'utf8') };
    } catch (error) {
      if (!hasCode(error, 'ENOENT')) throw error;
    }
  }
  throw new CliError('MANIFEST_MISSING', `no blocklet.yml (or blocklet.json) in ${dir}; run "arc blocklet init ${dir}" to start one`);
}

/** Parses a manifest, turning its problems into one MANIFEST_INVALID error that lists each file:line:column. */
export function checkManifest(text: string, path: string): BlockletManifest {
  try {
    return parseManifest(text, path);
  } catch (error) {
    if (error instanceof ManifestError) throw new CliError('MANIFEST_INVALID', error.message);
    throw error;
  }
}

/** Whether a symbolic link points at a file; a dangling link points at nothing. */
async function isLinkedFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return false;
    throw error;
  }
}

/**
 * Refuses a link whose file lies outside the folder that holds the project (the project and its siblings, e.g. a
 * `../shared` module several blocklets link to): a link to a key or a file elsewhere on the machine is never uploaded.
 */
async function checkLinkInside(dir: string, path: string, rel: string): Promise<void> {
  const allowed = (await realpath(dirname(dir))) + sep;
  const target = await realpath(path);
  if (!target.startsWith(allowed)) {
    throw new CliError(
      'SOURCE_LINK_OUTSIDE',
      `${rel} links to ${target}, outside ${allowed.slice(0, -1)}; copy the file into the blocklet's folder (or beside it) instead`,
    );
  }
}

/** Source files under dir (skipping node_modules, .git and dotfiles), within the upload bounds. */
async function readSourceFiles(dir: string): Promise<{ files: Record<string, string>; bytes: number }> {
  const files: Record<string, string> = {};
  let count = 0;
  let bytes = 0;
  let entries = 0;
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop() as string;
    for (const entry of await readdir(current, { withFileTypes: true })) {
      entries += 1;
      if (entries > WALK_ENTRIES_MAX)
        throw new CliError('SOURCE_TOO_LARGE', `${dir} holds more than ${WALK_ENTRIES_MAX} entries; is it the right folder?`);
      if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue;
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        pending.push(path);
        continue;
      }
      const rel = relative(dir, path).split(sep).join('/');
      if (!SOURCE_FILE.test(entry.name) || (MANIFEST_FILES as readonly string[]).includes(rel)) continue;
      // A symbolic link to a file is that file (a module shared by several blocklets); links to folders are not followed.
      if (!entry.isFile() && !(entry.isSymbolicLink() && (await isLinkedFile(path)))) continue;
      if (entry.isSymbolicLink()) await checkLinkInside(dir, path, rel);
      const size = (await stat(path)).size;
      count += 1;
      bytes += size;
      if (count > UPLOAD_LIMITS.filesMax)
        throw new CliError('SOURCE_TOO_LARGE', `more than ${UPLOAD_LIMITS.filesMax} source files in ${dir}`);
      if (size > UPLOAD_LIMITS.fileBytesMax) {
        throw new CliError('SOURCE_TOO_LARGE', `${rel} is ${kb(size)}; a source file is at most ${kb(UPLOAD_LIMITS.fileBytesMax)}`);
      }
      if (bytes > UPLOAD_LIMITS.sourceBytesMax) {
        throw new CliError('SOURCE_TOO_LARGE', `the sources in ${dir} are over ${kb(UPLOAD_LIMITS.sourceBytesMax)} in all`);
      }
      files[rel] = await readFile(path, 'utf8');
    }
  }
  return { files, bytes };
}

/** Reads and checks a blocklet project: its manifest (parsed locally first) and its source files. */
export async function readBlockletSource(dir: string): Promise<BlockletSource> {
  const { file, text } = await readManifestText(dir);
  const manifest = checkManifest(text, join(dir, file));
  const { files, bytes } = await readSourceFiles(dir);
  if (files[manifest.entry] === undefined) {
    throw new CliError('MANIFEST_INVALID', `the manifest's entry "${manifest.entry}" is not a source file in ${dir}`);
  }
  return { dir, manifestFile: file, manifestText: text, manifest, files, sourceBytes: bytes };
}

/**
 * The manifest text with another version, for `arc blocklet dev`: the top-level `version:` line of YAML is
 * replaced (keeping comments and layout), or the field of JSON.
 */
export function withVersion(file: ManifestFile, text: string, version: string): string {
  if (file === 'blocklet.json') return `${JSON.stringify({ ...(JSON.parse(text) as object), version }, null, 2)}\n`;
  // The value up to a trailing comment, which keeps its leading space (YAML needs it).
  const line = /^version:[^\n#]*?([ \t]+#[^\n]*)?$/m;
  if (!line.test(text)) throw new CliError('MANIFEST_INVALID', 'the manifest has no top-level "version:" line to set');
  return text.replace(line, (_match, comment: string | undefined) => `version: ${version}${comment ?? ''}`);
}

/** Bytes as people read them: "812 B", "3.4 KB". */
export const kb = formatBytes;
